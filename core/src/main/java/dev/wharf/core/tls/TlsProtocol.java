package dev.wharf.core.tls;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.core.Watermarks;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS over any stream connection, invisible to the protocol above: it sits on the transport as the
 * connection's {@link Protocol}, and gives the application's protocol a {@link Connection} whose
 * reads are decrypted and whose writes are encrypted. The application sees {@code opened} only once
 * the handshake is done, and nothing at all of a connection whose handshake fails.
 *
 * <pre>{@code
 * Protocol tls = TlsProtocol.server(config, new EchoProtocol());
 * }</pre>
 *
 * <p>{@link dev.wharf.core.Server.Builder#tls} and {@link dev.wharf.core.Client.Builder#tls} put it
 * in place; use it directly over another transport or an {@code EmbeddedConnection}.
 *
 * <p>How it keeps the cost down:
 *
 * <ul>
 *   <li>records are decrypted straight out of the loop's read buffer; only the start of a record
 *       that has not fully arrived is copied aside, into a pooled segment, until the rest comes;
 *   <li>decrypted bytes go to the application in a per-thread scratch buffer, lent for the call
 *       like the loop's read buffer;
 *   <li>writes made while handling one event (a response's head and body, say) are collected and
 *       encrypted together at its end, into as few records as they fit; a write of a record or more
 *       is encrypted straight from the caller's buffer;
 *   <li>records are encrypted into a per-thread scratch buffer, several at a time, and handed to
 *       the transport in one write;
 *   <li>a file is read in 64 KiB pieces and encrypted (there is no sendfile under TLS), only as
 *       fast as the peer takes it.
 * </ul>
 *
 * <p>The handshake's delegated tasks (certificate checks, key exchange, signatures) run on the
 * loop. They are CPU work of well under a millisecond to a few milliseconds (an RSA-2048 signature
 * is the costliest), and the loops already use every core, so handing them to another pool would
 * add two thread hops to every handshake and no capacity. Nothing in them blocks: revocation
 * checking, which would fetch over the network, is off.
 *
 * <p>Confined to the connection's event loop, like every protocol.
 */
public final class TlsProtocol implements Protocol {
  private static final System.Logger LOG = System.getLogger(TlsProtocol.class.getName());
  private static final ByteBuffer[] NOTHING = {};

  /** The most plaintext one record carries. */
  private static final int MAX_FRAGMENT = 16 * 1024;

  /** How much of a file one turn encrypts before letting other connections run. */
  private static final long FILE_BYTES_PER_TURN = 1 << 20;

  /** The most gathered segments one wrap takes; a record needs two at most. */
  private static final int GATHER = 8;

  private static final Watermarks WATERMARKS = Watermarks.DEFAULTS;

  private final SSLEngine engine;
  private final boolean client;
  private final String peerName;
  private final Duration handshakeTimeout;
  private final CompletableFuture<Connection> handshake = new CompletableFuture<>();

  /** Plaintext waiting to be encrypted: pooled segments (in read mode) and files. */
  private final ArrayDeque<Object> pending = new ArrayDeque<>(4);

  private final ByteBuffer[] gather = new ByteBuffer[GATHER];
  private final ByteBuffer[] single = new ByteBuffer[1];

  private Protocol application;
  private Connection transport;

  /** The loop thread's buffers; taken in {@link #opened}, which runs on the loop. */
  private TlsBuffers buffers;

  private TlsConnection view;
  private Cancellable handshakeTimer;
  private long handshakeStartNanos;
  private TlsSession session;

  /** The start of a record that has not fully arrived, kept between reads; null when none. */
  private ByteBuffer partialRecord;

  /** Records being encrypted into, while a wrap is under way; null otherwise. */
  private ByteBuffer records;

  private long pendingBytes;
  private int callDepth;
  private boolean encrypting;
  private boolean encryptScheduled;
  private boolean handshakeDone;
  private boolean applicationOpened;
  private boolean inboundDone;
  private boolean peerClosedFirst;
  private boolean outboundDone;
  private boolean closeWhenSent;
  private boolean shutdownWhenSent;
  private boolean closed;
  private volatile boolean writable = true;

  private TlsProtocol(
      SSLEngine engine, boolean client, String peerName, Duration timeout, Protocol application) {
    this.engine = engine;
    this.client = client;
    this.peerName = peerName;
    this.handshakeTimeout = timeout;
    this.application = java.util.Objects.requireNonNull(application, "application");
  }

  /** The server side of TLS in front of {@code application}. */
  public static TlsProtocol server(TlsServerConfig config, Protocol application) {
    return new TlsProtocol(config.newEngine(), false, null, config.handshakeTimeout(), application);
  }

  /**
   * The client side of TLS in front of {@code application}, for a connection to {@code host} (a
   * name or an address literal: what SNI asks for and the certificate is checked against, unless
   * the config names a server).
   */
  public static TlsProtocol client(
      TlsClientConfig config, String host, int port, Protocol application) {
    String name = config.serverName().orElse(host);
    return new TlsProtocol(
        config.newEngine(host, port),
        true,
        name + ":" + port,
        config.handshakeTimeout(),
        application);
  }

  /**
   * Completes with the application's view of the connection once the handshake is done (after its
   * {@code opened}); fails with the reason if the connection closes first.
   */
  public CompletableFuture<Connection> handshake() {
    return handshake;
  }

  /** The application's protocol. */
  public Protocol application() {
    return application;
  }

  @Override
  public String name() {
    return application.name() + "+tls";
  }

  // ---- events from the transport ----

  @Override
  public void opened(Connection connection) {
    this.transport = connection;
    this.buffers = TlsBuffers.get();
    this.view = new TlsConnection(this, connection);
    this.handshakeStartNanos = connection.nanoTime();
    if (!handshakeTimeout.isZero()) {
      handshakeTimer = connection.schedule(handshakeTimeout, this::handshakeTimedOut);
    }
    callDepth++;
    try {
      engine.beginHandshake();
      advanceHandshake(); // The client's hello; a server waits for one.
    } catch (SSLException e) {
      fail(e);
    } finally {
      exitCall();
    }
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    callDepth++;
    ByteBuffer records = buffers.borrowCiphertext();
    try {
      if (partialRecord != null) {
        records.put(partialRecord.flip());
        buffers.segments.release(partialRecord);
        partialRecord = null;
      }
      // Through a heap buffer: the JDK's AES-GCM runs its intrinsic over arrays, while over a
      // direct buffer it copies 512 bytes at a time into arrays it allocates per record.
      while (!closed && !inboundDone) {
        int n = Math.min(data.remaining(), records.remaining());
        records.put(records.position(), data, data.position(), n);
        records.position(records.position() + n);
        data.position(data.position() + n);
        records.flip();
        decrypt(records);
        records.compact(); // What is left is the start of a record still on its way.
        if (!data.hasRemaining()) {
          break;
        }
        if (!records.hasRemaining()) {
          fail(new SSLException("a TLS record larger than the protocol allows"));
          break;
        }
      }
      if (records.position() > 0 && !closed && !inboundDone) {
        keepPartialRecord(records.flip());
      }
      data.position(data.limit()); // All of it is ours: kept, decrypted, or after close_notify.
    } finally {
      buffers.giveBack(records);
      exitCall();
    }
  }

  @Override
  public void inputClosed(Connection connection) {
    if (!handshakeDone) {
      fail(
          new SSLHandshakeException(
              "the " + peerRole() + " closed the connection during the handshake"));
      return;
    }
    if (inboundDone) {
      return; // Its close_notify came first and the application has been told.
    }
    // A TCP close without close_notify. The application's own framing (a length, a chunked
    // end) tells a cut-off message from a whole one, as in every TLS stack that tolerates it.
    // engine.closeInbound() would fail the engine and stop our writes too, so it is not called.
    LOG.log(Level.DEBUG, () -> transport + ": the peer closed without a TLS close_notify");
    inboundDone = true;
    peerClosedFirst = !outboundDone;
    callApplication(() -> application.inputClosed(view));
  }

  @Override
  public void writabilityChanged(Connection connection, boolean transportWritable) {
    if (transportWritable && !pending.isEmpty() && handshakeDone) {
      encryptPending(); // A file may be waiting for room.
    }
    updateWritability();
  }

  @Override
  public void shutdownRequested(Connection connection) {
    if (handshakeDone) {
      callApplication(() -> application.shutdownRequested(view));
    } else {
      connection.close();
    }
  }

  @Override
  public void closed(Connection connection, CloseReason reason) {
    closed = true;
    cancelHandshakeTimer();
    if (partialRecord != null) {
      buffers.segments.release(partialRecord);
      partialRecord = null;
    }
    for (Object entry : pending) {
      if (entry instanceof ByteBuffer segment) {
        buffers.segments.release(segment);
      } else {
        ((FileSlice) entry).close();
      }
    }
    pending.clear();
    pendingBytes = 0;
    if (!handshakeDone) {
      handshake.completeExceptionally(
          reason.error().orElseGet(() -> new SSLHandshakeException(handshakeEndedBy(reason))));
    }
    if (applicationOpened) {
      // As with a FIN: closing after the peer's close_notify only answers the peer's close.
      boolean answered = reason.kind() == CloseReason.Kind.LOCAL && peerClosedFirst;
      application.closed(view, answered ? CloseReason.PEER : reason);
    }
  }

  // ---- reading: records in, plaintext up ----

  private void keepPartialRecord(ByteBuffer data) {
    if (data.remaining() > TlsBuffers.SEGMENT_SIZE) {
      fail(new SSLException("a TLS record larger than the protocol allows"));
      return;
    }
    partialRecord = buffers.segments.acquire();
    partialRecord.put(data);
  }

  /**
   * Decrypts the whole records in {@code source} (a heap buffer, decrypted in place) and hands
   * their plaintext to the application, several records per call; handshake records move the
   * handshake on. Stops at a record that has not fully arrived, which stays in {@code source}.
   */
  private void decrypt(ByteBuffer source) {
    int room = engine.getSession().getApplicationBufferSize();
    ByteBuffer plaintext = buffers.borrowPlaintext(room);
    int idleRounds = 0;
    try {
      while (source.hasRemaining() && !closed && !inboundDone) {
        SSLEngineResult result;
        try {
          result = engine.unwrap(source, plaintext);
        } catch (SSLException e) {
          deliver(plaintext);
          fail(e);
          return;
        }
        switch (result.getStatus()) {
          case BUFFER_UNDERFLOW -> {
            return; // The rest of the record is still on its way.
          }
          case BUFFER_OVERFLOW -> {
            if (plaintext.position() == 0) {
              // A bigger record than the session said; hand over in a buffer that fits.
              buffers.giveBack(plaintext);
              room = engine.getSession().getApplicationBufferSize();
              plaintext = buffers.borrowPlaintext(2 * room);
            }
            deliver(plaintext);
            continue;
          }
          case CLOSED -> {
            deliver(plaintext);
            closeNotifyReceived();
            return;
          }
          case OK -> {}
        }
        if (result.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
          deliver(plaintext); // Data before a handshake message stays in order.
          if (isRenegotiation(result.getHandshakeStatus())) {
            refuseRenegotiation();
            return;
          }
          handshakeProgressed(result.getHandshakeStatus());
        } else if (plaintext.remaining() < room) {
          deliver(plaintext);
        }
        if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
          // Nothing moved: the engine had handshake work first (done above), so try once more.
          if (++idleRounds > 2) {
            return;
          }
        } else {
          idleRounds = 0;
        }
      }
    } finally {
      if (!closed) {
        deliver(plaintext);
      }
      buffers.giveBack(plaintext);
    }
  }

  /** Lends the decrypted bytes to the application, then clears the buffer for more. */
  private void deliver(ByteBuffer plaintext) {
    if (plaintext.position() == 0 || closed) {
      plaintext.clear();
      return;
    }
    plaintext.flip();
    if (applicationOpened) {
      callApplication(() -> application.received(view, plaintext));
    }
    plaintext.clear();
  }

  private void closeNotifyReceived() {
    inboundDone = true;
    peerClosedFirst = !outboundDone;
    advanceHandshake(); // TLS 1.2 answers with its own close_notify.
    if (applicationOpened && !closed) {
      callApplication(() -> application.inputClosed(view));
    }
  }

  // ---- the handshake ----

  /**
   * A client starting a second TLS 1.2 handshake on an established connection. Servers refuse it
   * (as nginx does): it lets one client make the server do a full handshake's work over and over,
   * and nothing Wharf serves needs it. TLS 1.3 has no renegotiation; its post-handshake messages
   * (tickets, key updates) are answered as usual.
   */
  private boolean isRenegotiation(HandshakeStatus status) {
    return handshakeDone
        && !client
        && status != HandshakeStatus.FINISHED
        && "TLSv1.2".equals(engine.getSession().getProtocol());
  }

  private void refuseRenegotiation() {
    var refused = new SSLException("TLS error with " + peer() + ": renegotiation is not supported");
    LOG.log(Level.DEBUG, () -> transport + ": " + refused.getMessage());
    // The engine is mid-handshake: anything it wrapped now would answer the client's hello.
    outboundDone = true;
    transport.close(CloseReason.error(refused));
  }

  /** After an engine call: note a finished handshake, then do what the engine asks next. */
  private void handshakeProgressed(HandshakeStatus status) {
    if (status == HandshakeStatus.FINISHED) {
      handshakeFinished();
    }
    advanceHandshake();
  }

  /** Runs the engine's tasks and sends its handshake records until it waits for the peer. */
  private void advanceHandshake() {
    for (int step = 0; step < 64 && !closed; step++) {
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run(); // On the loop: see the class comment.
          }
        }
        case NEED_WRAP -> {
          if (!encrypt(NOTHING, 0, 0)) {
            return;
          }
        }
        default -> {
          return;
        }
      }
    }
  }

  private void handshakeFinished() {
    if (handshakeDone) {
      return;
    }
    handshakeDone = true;
    cancelHandshakeTimer();
    session = describeSession();
    LOG.log(Level.DEBUG, () -> transport + ": " + session);
    applicationOpened = true;
    callApplication(() -> application.opened(view));
    if (!closed) {
      handshake.complete(view);
    }
  }

  private TlsSession describeSession() {
    SSLSession s = engine.getSession();
    String alpn = engine.getApplicationProtocol();
    return new TlsSession(
        s.getProtocol(),
        s.getCipherSuite(),
        alpn == null || alpn.isEmpty() ? Optional.empty() : Optional.of(alpn),
        Optional.ofNullable(serverName(s)),
        peerCertificates(s),
        x509(s.getLocalCertificates()),
        Duration.ofNanos(transport.nanoTime() - handshakeStartNanos));
  }

  private String serverName(SSLSession s) {
    List<SNIServerName> names =
        client
            ? engine.getSSLParameters().getServerNames()
            : s instanceof ExtendedSSLSession extended
                ? extended.getRequestedServerNames()
                : List.of();
    if (names != null) {
      for (SNIServerName name : names) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return null;
  }

  private static List<X509Certificate> peerCertificates(SSLSession s) {
    try {
      return x509(s.getPeerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // A client that showed no certificate.
    }
  }

  private static List<X509Certificate> x509(Certificate[] certificates) {
    var list = new ArrayList<X509Certificate>();
    if (certificates != null) {
      for (Certificate c : certificates) {
        if (c instanceof X509Certificate x) {
          list.add(x);
        }
      }
    }
    return list;
  }

  private void handshakeTimedOut() {
    if (!handshakeDone && !closed) {
      transport.close(
          CloseReason.timeout(
              "TLS handshake with "
                  + peer()
                  + " not finished within "
                  + handshakeTimeout.toMillis()
                  + " ms"));
    }
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
      handshakeTimer = null;
    }
  }

  // ---- writing: plaintext in, records out (called by the view, on the loop) ----

  void write(ByteBuffer data) {
    if (closed || outboundDone || closeWhenSent || shutdownWhenSent) {
      data.position(data.limit()); // Written into the void, as on a closed socket.
      return;
    }
    if (!data.hasRemaining()) {
      return;
    }
    // Not when called back from inside an encryption (a writability change, say): the queue
    // keeps the order then.
    boolean idle = handshakeDone && records == null && !encrypting;
    if (idle && pending.isEmpty() && data.remaining() >= MAX_FRAGMENT) {
      // A record or more: encrypt straight from the caller's buffer; keep only the tail.
      int tail = data.remaining() % MAX_FRAGMENT;
      int end = data.limit();
      data.limit(end - tail);
      single[0] = data;
      encrypt(single, 0, 1);
      single[0] = null;
      data.limit(end);
      if (closed || outboundDone) {
        data.position(data.limit());
        return;
      }
    }
    append(data);
    if (idle && pendingBytes >= MAX_FRAGMENT && pending.peekFirst() instanceof ByteBuffer) {
      encryptSegments(false); // Full records now; the tail waits for more to join it.
    }
    encryptLater();
    updateWritability();
  }

  void writeFile(FileChannel file, long position, long count) {
    if (closed || outboundDone || closeWhenSent || shutdownWhenSent) {
      new FileSlice(file, position, count).close();
      return;
    }
    pending.addLast(new FileSlice(file, position, count));
    pendingBytes += count;
    encryptLater();
    updateWritability();
  }

  /** Encrypts what waits now and asks the transport to write it. */
  void flush() {
    if (!closed && handshakeDone) {
      encryptPending();
    }
    transport.flush();
  }

  long pendingBytes() {
    return pendingBytes + (transport == null ? 0 : transport.pendingBytes());
  }

  boolean isWritable() {
    return writable;
  }

  void closeAfterFlush() {
    if (closed) {
      return;
    }
    closeWhenSent = true;
    finishIfSent();
  }

  void shutdownOutput() {
    if (closed || outboundDone) {
      return;
    }
    shutdownWhenSent = true;
    finishIfSent();
  }

  /** Closes now: a close_notify goes out if the socket takes it, queued data does not. */
  void close(CloseReason reason) {
    if (closed) {
      return;
    }
    if (handshakeDone && !outboundDone) {
      sendCloseNotify();
      transport.flush();
    }
    transport.close(reason);
  }

  TlsSession session() {
    return session;
  }

  void switchProtocol(Protocol next, ByteBuffer leftover) {
    application = next;
    callApplication(() -> next.opened(view));
    if (leftover.hasRemaining() && !closed) {
      callApplication(() -> next.received(view, leftover));
    }
  }

  /** Copies plaintext into pooled segments, filling the last one first. */
  private void append(ByteBuffer data) {
    int added = data.remaining();
    while (data.hasRemaining()) {
      ByteBuffer tail =
          pending.peekLast() instanceof ByteBuffer b && b.limit() < b.capacity() ? b : null;
      if (tail == null) {
        tail = buffers.segments.acquire();
        tail.limit(0);
        pending.addLast(tail);
      }
      int at = tail.limit();
      int n = Math.min(data.remaining(), tail.capacity() - at);
      tail.limit(at + n);
      tail.put(at, data, data.position(), n);
      data.position(data.position() + n);
    }
    pendingBytes += added;
  }

  /**
   * Makes sure what the application wrote is encrypted before the transport next flushes: at the
   * end of the callback we are in, or, for a write from a task or timer, in a task of our own.
   */
  private void encryptLater() {
    if (callDepth > 0 || encryptScheduled || !handshakeDone) {
      return;
    }
    encryptScheduled = true;
    transport.execute(
        () -> {
          encryptScheduled = false;
          if (!closed) {
            encryptPending();
          }
        });
  }

  /** Leaves a callback; the outermost one encrypts what was written during it. */
  private void exitCall() {
    if (--callDepth == 0 && !closed && handshakeDone && !pending.isEmpty()) {
      encryptPending();
    }
  }

  /** Runs an application callback; what it writes is encrypted when the outermost call ends. */
  private void callApplication(Runnable call) {
    callDepth++;
    try {
      call.run();
    } finally {
      exitCall();
    }
  }

  /** Encrypts the queue in order: segments, then files as far as the transport has room. */
  private void encryptPending() {
    if (encrypting) {
      return; // The running pass picks up what was added.
    }
    encrypting = true;
    try {
      while (!pending.isEmpty() && !closed && !outboundDone) {
        if (pending.peekFirst() instanceof FileSlice file) {
          if (!sendFile(file)) {
            break;
          }
          pending.pollFirst();
          file.close();
        } else if (!encryptSegments(true)) {
          break; // The engine takes no data now; what waits goes out after the next read.
        }
      }
    } finally {
      encrypting = false;
    }
    if (!closed) {
      updateWritability();
      finishIfSent();
    }
  }

  /**
   * Encrypts the segments at the head of the queue; all of them, or ({@code all} false) only as
   * many full records as they make. False if the engine took none (a handshake is under way).
   */
  private boolean encryptSegments(boolean all) {
    boolean started = beginRecords();
    try {
      while (pending.peekFirst() instanceof ByteBuffer && !closed && !outboundDone) {
        int count = 0;
        long available = 0;
        for (Object entry : pending) {
          if (!(entry instanceof ByteBuffer segment) || count == GATHER) {
            break;
          }
          gather[count++] = segment;
          available += segment.remaining();
        }
        if (!all && available < MAX_FRAGMENT) {
          clear(gather, count);
          return true;
        }
        long before = available;
        boolean ok = encryptRecord(gather, 0, count);
        long after = 0;
        for (int i = 0; i < count; i++) {
          after += gather[i].remaining();
        }
        pendingBytes -= before - after;
        for (int i = 0; i < count; i++) {
          ByteBuffer segment = gather[i];
          if (segment.hasRemaining()) {
            break;
          }
          pending.pollFirst();
          buffers.segments.release(segment);
        }
        clear(gather, count);
        if (!ok) {
          return false;
        }
      }
      return true;
    } finally {
      endRecords(started);
    }
  }

  /**
   * Encrypts a stretch of a file, while the transport has room; true when the file is done. Stopped
   * for room, it goes on when the transport is writable again; stopped after its share of this
   * turn, it goes on in a task.
   */
  private boolean sendFile(FileSlice file) {
    ByteBuffer chunk = buffers.borrowFile();
    long sent = 0;
    try {
      while (file.remaining > 0 && transport.isWritable() && !closed && !outboundDone) {
        if (sent >= FILE_BYTES_PER_TURN) {
          transport.execute(
              () -> {
                if (!closed && handshakeDone) {
                  encryptPending();
                }
              });
          return false;
        }
        chunk.clear().limit((int) Math.min(chunk.capacity(), file.remaining));
        int n = file.channel.read(chunk, file.position);
        if (n < 0) {
          throw new EOFException("the file ended " + file.remaining + " bytes early");
        }
        file.position += n;
        file.remaining -= n;
        pendingBytes -= n;
        sent += n;
        chunk.flip();
        single[0] = chunk;
        encrypt(single, 0, 1);
        single[0] = null;
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> transport + ": reading a file to send failed: " + e);
      transport.close(CloseReason.error(e));
      return false;
    } finally {
      buffers.giveBack(chunk);
    }
    return file.remaining == 0;
  }

  /** Encrypts everything in the sources and writes the records; false if it could not. */
  private boolean encrypt(ByteBuffer[] sources, int offset, int length) {
    boolean started = beginRecords();
    try {
      do {
        if (!encryptRecord(sources, offset, length)) {
          return false;
        }
      } while (remaining(sources, offset, length) > 0 && !closed);
      return !closed;
    } finally {
      endRecords(started);
    }
  }

  /** One engine wrap into the records buffer: one record, or a handshake message. */
  private boolean encryptRecord(ByteBuffer[] sources, int offset, int length) {
    int room = engine.getSession().getPacketBufferSize();
    if (records.remaining() < room) {
      sendRecords();
      if (closed) {
        return false;
      }
      if (records.capacity() < room) {
        buffers.giveBack(records);
        records = buffers.borrowRecords(room);
      }
    }
    SSLEngineResult result;
    try {
      result = engine.wrap(sources, offset, length, records);
    } catch (SSLException e) {
      fail(e);
      return false;
    }
    switch (result.getStatus()) {
      case CLOSED -> {
        outboundDone = true;
        sendRecords();
        return false;
      }
      case BUFFER_OVERFLOW -> {
        sendRecords();
        return !closed;
      }
      default -> {}
    }
    HandshakeStatus status = result.getHandshakeStatus();
    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
      // The engine waits for the peer (a handshake under way): the data waits too.
      if (status == HandshakeStatus.NEED_TASK) {
        advanceHandshake();
      }
      return false;
    }
    if (status == HandshakeStatus.FINISHED) {
      sendRecords(); // The peer needs our Finished before the application talks.
      handshakeFinished();
      advanceHandshake();
    } else if (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP) {
      advanceHandshake(); // A post-handshake message, such as a key update.
    }
    return !closed;
  }

  /**
   * Starts a batch of records, or joins the one under way: nested encryptions (a handshake message
   * while encrypting data) write into the same buffer, so records leave in the order they were
   * made. Returns whether this call started it, and so must end it.
   */
  private boolean beginRecords() {
    if (records != null) {
      return false;
    }
    records = buffers.borrowRecords(engine.getSession().getPacketBufferSize());
    return true;
  }

  /** Ends a batch this call started: writes its records and gives the buffer back. */
  private void endRecords(boolean started) {
    if (started && records != null) {
      ByteBuffer batch = records;
      try {
        sendRecords();
      } finally {
        records = null;
        buffers.giveBack(batch);
      }
    }
  }

  /** Hands the records made so far to the transport. */
  private void sendRecords() {
    if (records != null && records.position() > 0) {
      records.flip();
      transport.write(records);
      records.clear();
    }
  }

  /** Once everything queued is encrypted: close_notify, then the requested close or shutdown. */
  private void finishIfSent() {
    if (closed || !pending.isEmpty() || !(closeWhenSent || shutdownWhenSent)) {
      return;
    }
    if (!handshakeDone) {
      transport.close();
      return;
    }
    sendCloseNotify();
    if (closeWhenSent) {
      transport.closeAfterFlush();
    } else {
      transport.shutdownOutput();
    }
  }

  private void sendCloseNotify() {
    if (outboundDone) {
      return;
    }
    engine.closeOutbound();
    boolean started = beginRecords();
    try {
      for (int i = 0; i < 4 && !engine.isOutboundDone() && !closed; i++) {
        if (!encryptRecord(NOTHING, 0, 0)) {
          break;
        }
      }
    } finally {
      endRecords(started);
    }
    outboundDone = true;
  }

  /** Tells the application when it should stop or may start writing again. */
  private void updateWritability() {
    if (transport == null) {
      return;
    }
    boolean transportWritable = transport.isWritable();
    boolean now =
        writable
            ? transportWritable && pendingBytes <= WATERMARKS.high()
            : transportWritable && pendingBytes <= WATERMARKS.low();
    if (now != writable) {
      writable = now;
      if (applicationOpened && !closed) {
        callApplication(() -> application.writabilityChanged(view, now));
      }
    }
  }

  // ---- failures ----

  /** A TLS failure: send the engine's alert if it made one, then close with a clear reason. */
  private void fail(SSLException error) {
    if (closed) {
      return;
    }
    SSLException explained = TlsErrors.explain(error, client, peer(), !handshakeDone);
    LOG.log(Level.DEBUG, () -> transport + ": " + explained.getMessage(), error);
    boolean started = beginRecords();
    try {
      sendRecords(); // What was made before the failure goes first.
      engine.wrap(NOTHING, records);
      sendRecords();
      transport.flush();
    } catch (SSLException | RuntimeException ignored) {
      // No alert to send; closing says enough.
    } finally {
      endRecords(started);
    }
    outboundDone = true;
    transport.close(CloseReason.error(explained));
  }

  private String peer() {
    if (peerName != null) {
      return peerName;
    }
    return transport == null ? "the peer" : String.valueOf(transport.remoteAddress());
  }

  private String peerRole() {
    return client ? "server" : "client";
  }

  private String handshakeEndedBy(CloseReason reason) {
    return "TLS handshake with " + peer() + " did not finish: connection " + reason;
  }

  private static long remaining(ByteBuffer[] sources, int offset, int length) {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += sources[i].remaining();
    }
    return total;
  }

  private static void clear(ByteBuffer[] array, int count) {
    for (int i = 0; i < count; i++) {
      array[i] = null;
    }
  }

  /** A stretch of a file waiting to be encrypted. */
  private static final class FileSlice {
    final FileChannel channel;
    long position;
    long remaining;

    FileSlice(FileChannel channel, long position, long remaining) {
      this.channel = channel;
      this.position = position;
      this.remaining = remaining;
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Only read from; nothing is lost.
      }
    }
  }
}
