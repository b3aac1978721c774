package dev.wharf.core.tls;

import dev.wharf.core.Cancellable;
import dev.wharf.core.Client;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Durations;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Protocol;
import dev.wharf.core.Server;
import dev.wharf.core.Watermarks;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

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
 * <p>It is one {@linkplain Server.Layer layer} of the transport, which knows nothing of TLS: {@link
 * #serverLayer} and {@link #clientLayer} put it in place through {@link Server.Builder#layer} and
 * {@link Client.Builder#layer}; use it directly over another transport or an {@code
 * EmbeddedConnection}.
 *
 * <p>This class runs the connection's life: the handshake and its timeout, handing events to the
 * application, backpressure, closing with close_notify, failures. {@link TlsRecordReader} and
 * {@link TlsRecordWriter} move the bytes. Writes made while the application handles one event (a
 * response's head and body, say) are encrypted together when it returns, into as few records as
 * they fit; writes from a task or a timer, in a task of their own, in the same loop turn.
 *
 * <p>The handshake's delegated tasks (certificate checks, key exchange, signatures) run on the
 * loop. They are CPU work of well under a millisecond to a few milliseconds (an RSA-2048 signature
 * is the costliest), and the loops already use every core, so handing them to another pool would
 * add two thread hops to every handshake and no capacity. Nothing in them blocks: revocation
 * checking, which would fetch over the network, is off.
 *
 * <p>Confined to the connection's event loop, like every protocol, but for the count of bytes the
 * application's other threads have handed over and the loop has not taken yet ({@link #handOver}).
 */
public final class TlsProtocol implements Client.Layered {
  private static final System.Logger LOG = LazyLogger.of(TlsProtocol.class);
  private static final Watermarks WATERMARKS = Watermarks.DEFAULTS;
  private static final VarHandle IN_TRANSIT;

  static {
    try {
      IN_TRANSIT = MethodHandles.lookup().findVarHandle(TlsProtocol.class, "inTransit", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final SSLEngine engine;
  private final boolean client;
  private final String peerName;
  private final Duration handshakeTimeout;

  /** A server's protocol for a client that speaks plain text instead; null for none. */
  private final Supplier<? extends Protocol> plainText;

  private boolean firstBytesRead;
  private final CompletableFuture<Connection> handshake = new CompletableFuture<>();

  private Protocol application;
  private Connection transport;
  private TlsConnection view;
  private TlsRecordReader reader;
  private TlsRecordWriter writer;
  private Cancellable handshakeTimer;
  private long handshakeStartNanos;
  private TlsSession session;

  /** Why TLS failed, once it has; reported instead of the transport's graceful close. */
  private CloseReason failure;

  /** Nested callbacks under way; the outermost encrypts what was written during them. */
  private int callDepth;

  private boolean advancing;
  private boolean encryptScheduled;
  private boolean handshakeDone;
  private boolean applicationOpened;
  private boolean inboundDone;
  private boolean peerClosedFirst;
  private boolean closeWhenSent;
  private boolean shutdownWhenSent;
  private boolean closed;
  private volatile boolean writable = true;

  /** Bytes copied by writes from other threads, on their way to the loop (via IN_TRANSIT). */
  @SuppressWarnings("unused") // Through IN_TRANSIT.
  private volatile long inTransit;

  /** A writer on another thread saw the watermark passed and the loop has not turned unwritable. */
  private volatile boolean transitFull;

  private TlsProtocol(
      SSLEngine engine,
      boolean client,
      String peerName,
      Duration timeout,
      Protocol application,
      Supplier<? extends Protocol> plainText) {
    this.engine = engine;
    this.client = client;
    this.peerName = peerName;
    this.handshakeTimeout = timeout;
    this.application = Objects.requireNonNull(application, "application");
    this.plainText = plainText;
  }

  /**
   * The layer that speaks TLS on every connection a server accepts: the protocols see plaintext,
   * and see a connection only once its handshake is done.
   */
  public static Server.Layer serverLayer(TlsServerConfig config) {
    Objects.requireNonNull(config, "config");
    return application -> server(config, application);
  }

  /**
   * As {@link #serverLayer(TlsServerConfig)}, and a client whose first byte is an ASCII letter is
   * handed, with what it sent, to a protocol of {@code plainText} instead of failing the handshake
   * with an alert it cannot read. A TLS connection starts with a record whose first byte is its
   * type (22, a handshake) and an SSL 2 hello with a byte of 128 or more; a text protocol starts
   * with a word: an HTTP request sent to an HTTPS port (an {@code http://} URL) is one, which HTTP
   * answers with a 400 saying so, as nginx does.
   */
  public static Server.Layer serverLayer(
      TlsServerConfig config, Supplier<? extends Protocol> plainText) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(plainText, "plainText");
    return application -> server(config, application, plainText);
  }

  /**
   * The layer that speaks TLS on every connection a client opens: a connect completes once the
   * handshake is done, with the plaintext view of the connection, or fails with why the handshake
   * did. The host connected to is the name asked for (SNI) and checked, unless the config names a
   * server.
   */
  public static Client.Layer clientLayer(TlsClientConfig config) {
    Objects.requireNonNull(config, "config");
    return (application, host, port) -> client(config, host, port, application);
  }

  /** The server side of TLS in front of {@code application}. */
  public static TlsProtocol server(TlsServerConfig config, Protocol application) {
    return server(config, application, null);
  }

  private static TlsProtocol server(
      TlsServerConfig config, Protocol application, Supplier<? extends Protocol> plainText) {
    return new TlsProtocol(
        config.newEngine(), false, null, config.handshakeTimeout(), application, plainText);
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
        application,
        null);
  }

  /**
   * Completes with the application's view of the connection once the handshake is done (after its
   * {@code opened}); fails with the reason if the connection closes first.
   */
  public CompletableFuture<Connection> handshake() {
    return handshake;
  }

  /** The {@link #handshake()}: the connection is ready for the application once it is done. */
  @Override
  public CompletableFuture<Connection> ready() {
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
    TlsBuffers buffers = TlsBuffers.get(); // This loop thread's, so taken here.
    this.view = new TlsConnection(this, connection);
    this.reader = new TlsRecordReader(engine, buffers, new ReaderEvents());
    this.writer = new TlsRecordWriter(engine, connection, buffers, new WriterEvents());
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
    if (!firstBytesRead && data.hasRemaining()) {
      firstBytesRead = true;
      if (plainText != null && isAsciiLetter(data.get(data.position()))) {
        handToPlainText(connection, data);
        return;
      }
    }
    callDepth++;
    try {
      reader.received(data);
    } finally {
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
    peerClosedFirst = !writer.isOutboundDone();
    callApplication(() -> application.inputClosed(view));
  }

  @Override
  public void writabilityChanged(Connection connection, boolean transportWritable) {
    if (transportWritable && handshakeDone && writer.hasPending()) {
      encryptPending(); // A file may be waiting for room.
    } else {
      updateWritability();
    }
  }

  @Override
  public void wakeUp(Connection connection) {
    if (applicationOpened) {
      callApplication(() -> application.wakeUp(view));
    }
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
  public void closed(Connection connection, CloseReason transportReason) {
    closed = true;
    CloseReason reason = failure != null ? failure : transportReason;
    cancelHandshakeTimer();
    reader.release();
    writer.release();
    if (!handshakeDone) {
      handshake.completeExceptionally(
          reason
              .error()
              .orElseGet(
                  () ->
                      new SSLHandshakeException(
                          "TLS handshake with " + peer() + " did not finish: " + reason)));
    }
    if (applicationOpened) {
      // As with a FIN: closing after the peer's close_notify only answers the peer's close.
      boolean answered = reason.kind() == CloseReason.Kind.LOCAL && peerClosedFirst;
      application.closed(view, answered ? CloseReason.PEER : reason);
    }
  }

  // ---- the handshake ----

  /** Runs the engine's tasks and sends its handshake messages until it waits for the peer. */
  private void advanceHandshake() {
    if (advancing) {
      return; // The loop under way looks at the engine again.
    }
    advancing = true;
    try {
      for (int step = 0; step < 64 && !closed; step++) {
        switch (engine.getHandshakeStatus()) {
          case NEED_TASK -> {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
              task.run(); // On the loop: see the class comment.
            }
          }
          case NEED_WRAP -> {
            if (!writer.wrapHandshake()) {
              return;
            }
          }
          default -> {
            return;
          }
        }
      }
    } finally {
      advancing = false;
    }
  }

  /** The engine's answer to a handshake message read or written. */
  private void handshakeStatus(HandshakeStatus status) {
    if (status == HandshakeStatus.FINISHED) {
      handshakeFinished();
    }
    advanceHandshake();
  }

  private void handshakeFinished() {
    if (handshakeDone) {
      return; // A post-handshake message (TLS 1.3 ticket, key update) finished.
    }
    handshakeDone = true;
    cancelHandshakeTimer();
    session =
        TlsSession.of(engine, client, Duration.ofNanos(transport.nanoTime() - handshakeStartNanos));
    LOG.log(Level.DEBUG, () -> transport + ": " + session);
    applicationOpened = true;
    callApplication(() -> application.opened(view));
    if (!closed) {
      handshake.complete(view);
    }
  }

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
    writer.stop(); // The engine is mid-handshake: what it wrapped now would answer the hello.
    transport.close(CloseReason.error(refused));
  }

  private void handshakeTimedOut() {
    if (!handshakeDone && !closed) {
      transport.close(
          CloseReason.timeout(
              "TLS handshake with "
                  + peer()
                  + " not finished within "
                  + Durations.format(handshakeTimeout)));
    }
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
      handshakeTimer = null;
    }
  }

  // ---- the application's calls, through the view (on the loop) ----

  void write(ByteBuffer data) {
    if (closed || writer.isOutboundDone() || closeWhenSent || shutdownWhenSent) {
      data.position(data.limit()); // Written into the void, as on a closed socket.
      return;
    }
    if (data.hasRemaining()) {
      writer.write(data, handshakeDone);
      encryptLater();
      updateWritability();
    }
  }

  void writeFile(FileChannel file, long position, long count) {
    if (closed || writer.isOutboundDone() || closeWhenSent || shutdownWhenSent) {
      try {
        file.close();
      } catch (java.io.IOException ignored) {
        // Only read from; nothing is lost.
      }
      return;
    }
    writer.writeFile(file, position, count);
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

  /**
   * A copy written by another thread, handed to the loop: it counts toward writability until the
   * loop has taken it, as in the transport (whose {@code handOver} says why and how), so that a
   * writer on a virtual thread is paused at the high watermark even while the loop is busy.
   */
  void handOver(ByteBuffer copy) {
    long n = copy.remaining();
    if (n == 0) {
      return;
    }
    long transit = (long) IN_TRANSIT.getAndAdd(this, n) + n;
    boolean crossed = transit + writer.pendingBytes() > WATERMARKS.high();
    if (crossed) {
      transitFull = true;
    }
    try {
      transport.execute(() -> landed(copy, crossed));
    } catch (RejectedExecutionException stopped) {
      IN_TRANSIT.getAndAdd(this, -n);
      LOG.log(Level.DEBUG, () -> transport + ": loop stopped; dropping a late write");
    }
  }

  /** A copy from {@link #handOver} reaches the loop: write it, stop counting it. */
  private void landed(ByteBuffer copy, boolean crossed) {
    long n = copy.remaining();
    write(copy); // Counted twice until taken from the count: errs toward unwritable by one write.
    IN_TRANSIT.getAndAdd(this, -n);
    if (crossed) {
      // Its writer may wait for writabilityChanged(true): turn unwritable (if not yet) so that
      // it comes, now or as the queue drains.
      if (writable && !closed) {
        changeWritability(false);
      }
      transitFull = false; // After writable, so a reader sees one or the other.
    }
    if (!closed) {
      updateWritability();
    }
  }

  /** What the application has written and the socket has not taken yet, copies in transit too. */
  long pendingBytes() {
    return writer.pendingBytes() + transport.pendingBytes() + inTransit;
  }

  boolean isWritable() {
    return !transitFull && writable; // In this order: see landed().
  }

  void closeAfterFlush() {
    if (!closed) {
      closeWhenSent = true;
      finishIfSent();
    }
  }

  void shutdownOutput() {
    if (!closed && !writer.isOutboundDone()) {
      shutdownWhenSent = true;
      finishIfSent();
    }
  }

  /** Closes now: a close_notify goes out if the socket takes it, queued data does not. */
  void close(CloseReason reason) {
    if (closed) {
      return;
    }
    if (handshakeDone) {
      writer.sendCloseNotify();
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

  // ---- when to encrypt ----

  /** Runs an application callback; what it writes is encrypted when the outermost call ends. */
  private void callApplication(Runnable call) {
    callDepth++;
    try {
      call.run();
    } finally {
      exitCall();
    }
  }

  private void exitCall() {
    if (--callDepth == 0 && !closed && handshakeDone && writer.hasPending()) {
      encryptPending();
    }
  }

  /**
   * Makes sure a write is encrypted before the transport next flushes: at the end of the callback
   * under way, or, for a write from a task or a timer, in a task of its own.
   */
  private void encryptLater() {
    if (callDepth == 0 && handshakeDone && !encryptScheduled) {
      encryptScheduled = true;
      transport.execute(
          () -> {
            encryptScheduled = false;
            if (!closed) {
              encryptPending();
            }
          });
    }
  }

  private void encryptPending() {
    writer.encryptPending();
    if (!closed) {
      updateWritability();
      finishIfSent();
    }
  }

  /** Once everything queued is encrypted: close_notify, then the requested close or shutdown. */
  private void finishIfSent() {
    if (closed || writer.hasPending() || !(closeWhenSent || shutdownWhenSent)) {
      return;
    }
    if (!handshakeDone) {
      transport.close();
      return;
    }
    writer.sendCloseNotify();
    if (closeWhenSent) {
      transport.closeAfterFlush();
    } else {
      transport.shutdownOutput();
    }
  }

  /** Tells the application when it should stop or may start writing again. */
  private void updateWritability() {
    boolean transportWritable = transport.isWritable();
    long queued = writer.pendingBytes() + inTransit;
    boolean now =
        writable
            ? transportWritable && queued <= WATERMARKS.high()
            : transportWritable && queued <= WATERMARKS.low();
    if (now != writable) {
      changeWritability(now);
    }
  }

  private void changeWritability(boolean now) {
    writable = now;
    if (applicationOpened && !closed) {
      callApplication(() -> application.writabilityChanged(view, now));
    }
  }

  private static boolean isAsciiLetter(byte b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
  }

  /**
   * The client spoke plain text: the connection goes on with the plain-text protocol, which reads
   * what came. No TLS was spoken, so no alert; the handshake fails for whoever waits on it.
   */
  private void handToPlainText(Connection connection, ByteBuffer data) {
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    closed = true; // Nothing more of this connection reaches TLS.
    LOG.log(Level.DEBUG, () -> connection + ": the client spoke plain text, not TLS");
    handshake.completeExceptionally(
        new SSLHandshakeException(
            "TLS handshake with " + peer() + " failed: the client spoke plain text, not TLS"));
    connection.switchProtocol(plainText.get(), data);
  }

  // ---- failures ----

  /**
   * A TLS failure: send the engine's alert if it made one, then close with a clear reason. Once the
   * socket has taken the alert the transport closes gracefully (FIN, then a lingering close), so
   * that input still arriving (a TLS 1.3 client sends its first request right after its Finished)
   * does not make our kernel answer with a reset that destroys the alert before the peer reads it;
   * the application and the handshake's future still hear of the failure. An alert the socket did
   * not take would never arrive anyway: then the close is immediate.
   */
  private void fail(SSLException error) {
    if (closed || failure != null) {
      return;
    }
    SSLException explained = TlsErrors.explain(error, client, peer(), !handshakeDone);
    LOG.log(Level.DEBUG, () -> transport + ": " + explained.getMessage(), error);
    failure = CloseReason.error(explained);
    writer.sendAlert();
    transport.flush();
    if (transport.pendingBytes() == 0) {
      transport.closeAfterFlush();
    } else {
      transport.close(failure);
    }
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

  /** The reader's events, answered on the loop. */
  private final class ReaderEvents implements TlsRecordReader.Events {
    @Override
    public void plaintext(ByteBuffer data) {
      if (applicationOpened) {
        callApplication(() -> application.received(view, data));
      }
    }

    @Override
    public boolean handshakeMessage(HandshakeStatus status) {
      if (isRenegotiation(status)) {
        refuseRenegotiation();
        return false;
      }
      handshakeStatus(status);
      return !closed;
    }

    @Override
    public void closeNotify() {
      inboundDone = true;
      peerClosedFirst = !writer.isOutboundDone();
      // Only the peer's direction is closed: the application may still answer, as after a bare
      // FIN (RFC 8446 §6.1; TLS 1.2's alert never reaches the engine, see TlsRecordReader).
      advanceHandshake();
      if (applicationOpened && !closed) {
        callApplication(() -> application.inputClosed(view));
      }
    }

    @Override
    public boolean alertEndsInput() {
      return handshakeDone && !"TLSv1.3".equals(engine.getSession().getProtocol());
    }

    @Override
    public void failed(SSLException error) {
      fail(error);
    }

    @Override
    public boolean stopped() {
      return closed || inboundDone || failure != null;
    }
  }

  /** The writer's events, answered on the loop. */
  private final class WriterEvents implements TlsRecordWriter.Events {
    @Override
    public void handshakeStatus(HandshakeStatus status) {
      TlsProtocol.this.handshakeStatus(status);
    }

    @Override
    public void failed(SSLException error) {
      fail(error);
    }

    @Override
    public void continueLater() {
      transport.execute(
          () -> {
            if (!closed) {
              encryptPending();
            }
          });
    }

    @Override
    public boolean closed() {
      return closed;
    }
  }
}
