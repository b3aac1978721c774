package dev.wharf.websocket;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Durations;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Pipe;
import dev.wharf.core.Protocol;
import dev.wharf.websocket.codec.CloseCodes;
import dev.wharf.websocket.codec.MessageDeflater;
import dev.wharf.websocket.codec.MessageInflater;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.PerMessageDeflate;
import dev.wharf.websocket.codec.Utf8Validator;
import dev.wharf.websocket.codec.WebSocketException;
import dev.wharf.websocket.codec.WebSocketFrameReader;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One WebSocket connection after the handshake, server or client side: the {@link Protocol} the
 * connection switched to, and the {@link WebSocket} its listener sends with. It reads frames,
 * answers pings, runs the closing handshake, pings an idle peer and closes a silent one, and holds
 * a slow reader to {@link WebSocketConfig#maxOutboundBytes()}.
 *
 * <pre>
 *   OPEN --we send Close--> CLOSE_SENT --peer's Close--> closed (server: at once; client: on EOF)
 *     \--peer's Close--> we answer --> closed (same)
 *     \--protocol error--> Close with its code --> closed after flush
 *     \--peer's FIN--> closed after flush (no Close: 1006)
 * </pre>
 *
 * <p>Protocol callbacks and all sending run on the connection's loop; {@link WebSocket} methods
 * called elsewhere hop there. Listener callbacks go through a {@link Dispatcher}.
 */
final class WebSocketSession
    implements Protocol, WebSocket, InboundMessages.Session, Dispatcher.Drained {
  private static final System.Logger LOG = LazyLogger.of(WebSocketSession.class);

  // Field handles rather than atomic objects: an idle connection should carry no extra objects.
  private static final VarHandle IN_FLIGHT;
  private static final VarHandle CLOSE_FUTURE;

  static {
    try {
      var lookup = MethodHandles.lookup();
      IN_FLIGHT = lookup.findVarHandle(WebSocketSession.class, "inFlight", long.class);
      CLOSE_FUTURE =
          lookup.findVarHandle(WebSocketSession.class, "closeFuture", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final WebSocketConfig config;
  private final boolean server;
  private final WebSocketListener listener;
  private final Optional<String> subprotocol;
  private final Optional<PerMessageDeflate.Agreement> deflate;
  // Null between messages unless deflate was agreed: borrowed from the loop's SpareReaders when
  // bytes come, given back at rest, so a quiet session holds neither.
  private WebSocketFrameReader reader;
  private InboundMessages inbound;
  // For listeners on the event loop, made only when an event must queue (a message stream's
  // listener runs on a virtual thread): until then events run inline and a session holds none.
  // Volatile: made on the loop, read where events are dispatched.
  private volatile Dispatcher dispatcher;

  /** Made when someone asks for it: most connections never do. */
  private volatile CompletableFuture<Void> closeFuture;

  private volatile boolean closeDone;

  /** Bytes handed to the loop by other threads and not yet queued there; see {@link #IN_FLIGHT}. */
  private volatile long inFlight;

  private Connection connection;
  private FrameSender sender;
  private volatile boolean open = true;
  private boolean closeSent;
  private boolean closeRequested;
  private boolean closeReceived;
  private boolean closeReported;
  private boolean readsPaused;

  /** The last message received as a stream; reading waits while its pipe is full. */
  private Pipe streaming;

  private Cancellable closeTimer;
  private long lastReceivedNanos;
  private long lastPingNanos;

  /** Sends that completed their write and wait for the queue to drain below its watermark. */
  private ArrayDeque<CompletableFuture<Void>> awaitingWritable;

  /** The outbound stream sending now, and data messages waiting for it to end. */
  private MessageOutputStream sendingStream;

  private ArrayDeque<Runnable> heldSends;

  WebSocketSession(
      WebSocketConfig config,
      boolean server,
      WebSocketListener listener,
      Optional<String> subprotocol,
      Optional<PerMessageDeflate.Agreement> deflate) {
    this.config = config;
    this.server = server;
    this.listener = listener;
    this.subprotocol = subprotocol;
    this.deflate = deflate;
    if (config.dispatch() == WebSocketConfig.Dispatch.VIRTUAL_THREAD) {
      this.dispatcher = new Dispatcher(true, this);
    }
  }

  @Override
  public String name() {
    return server ? "websocket" : "websocket client";
  }

  // ---- Protocol ----

  @Override
  public void opened(Connection c) {
    this.connection = c;
    this.sender = FrameSender.plain(!server);
    deflate.ifPresent(
        agreed -> {
          DeflateOptions options = config.deflate().orElse(DeflateOptions.DEFAULTS);
          reader = new WebSocketFrameReader(server, config.maxFrameBytes());
          inbound = new InboundMessages(this, config.maxMessageBytes(), config.memoryBudget());
          reader.allowCompression(true);
          inbound.inflateWith(
              new MessageInflater(agreed.peerNoContextTakeover(), config.maxMessageBytes()));
          sender =
              new FrameSender(
                  !server,
                  new MessageDeflater(
                      options.level(), agreed.localNoContextTakeover(), agreed.localWindowBits()),
                  options.minMessageBytes());
        });
    lastReceivedNanos = c.nanoTime();
    lastPingNanos = lastReceivedNanos;
    // Pings and our own idle timeout watch the peer from now on; the transport's would cut a
    // quiet but healthy WebSocket (pings off) after its five minutes.
    c.idleTimeout(Duration.ZERO);
    armKeepalive();
    dispatch(() -> listener.onOpen(this), 0);
  }

  @Override
  public void received(Connection c, ByteBuffer data) {
    lastReceivedNanos = c.nanoTime();
    if ((reader != null && reader.isStopped()) || closeReceived) {
      data.position(data.limit()); // After the peer's Close nothing counts (RFC 6455 §5.5.1).
      return;
    }
    if (reader == null) {
      reader = SpareReaders.reader(server, config.maxFrameBytes());
      inbound = SpareReaders.inbound(this, config);
    }
    try {
      reader.decode(data, inbound);
    } catch (WebSocketException e) {
      fail(e);
      return;
    }
    if (reader.isAtRest() && inbound.isAtRest() && !closeReceived) {
      SpareReaders.give(reader, inbound);
      reader = null;
      inbound = null;
    }
  }

  @Override
  public void inputClosed(Connection c) {
    // The peer's FIN: no frame comes after it. After the closing handshake this is how a server
    // ends it (RFC 6455 §7.1.1); before, the peer left without a Close (1006, §7.1.5). Either way
    // the session is over, but what is already queued (a Close, an echo) still goes out: a peer
    // that half-closed may be reading, and under TLS a plain close would drop it.
    c.closeAfterFlush();
  }

  @Override
  public void writabilityChanged(Connection c, boolean writable) {
    if (writable && awaitingWritable != null) {
      ArrayDeque<CompletableFuture<Void>> ready = awaitingWritable;
      awaitingWritable = null;
      ready.forEach(f -> f.complete(null));
    }
  }

  @Override
  public void shutdownRequested(Connection c) {
    startClose(CloseCodes.GOING_AWAY, "server shutting down");
  }

  @Override
  public void closed(Connection c, CloseReason reason) {
    open = false;
    cancel(closeTimer);
    var gone = new IOException("connection closed (" + reason + ")");
    if (inbound != null) {
      inbound.closed(gone);
    }
    if (sender != null) {
      sender.release();
    }
    if (awaitingWritable != null) {
      awaitingWritable.forEach(f -> f.complete(null)); // Queued before the close: as sent.
      awaitingWritable = null;
    }
    if (sendingStream != null) {
      sendingStream.connectionClosed();
    }
    if (heldSends != null) {
      ArrayDeque<Runnable> held = heldSends;
      heldSends = null;
      held.forEach(Runnable::run); // Each fails, as the connection is closed.
    }
    if (!closeReported) {
      closeReported = true;
      if (reason.isFailure()) {
        dispatch(() -> listener.onError(this, reason.error().orElse(gone)), 0);
      }
      dispatch(() -> listener.onClose(this, CloseCodes.ABNORMAL, reason.message()), 0);
    }
    dispatch(this::completeCloseFuture, 0);
  }

  // ---- frames from the reader ----

  @Override
  public void control(int opcode, byte[] payload) {
    switch (opcode) {
      case Opcodes.PING -> {
        // RFC 6455 §5.5.2: answer a Ping with a Pong carrying the same data, unless closing.
        if (!closeSent) {
          sender.sendFrame(connection, Opcodes.PONG, true, false, ByteBuffer.wrap(payload));
        }
        dispatch(() -> listener.onPing(this, ByteBuffer.wrap(payload)), payload.length);
      }
      case Opcodes.PONG -> dispatch(() -> listener.onPong(this, ByteBuffer.wrap(payload)), 0);
      case Opcodes.CLOSE -> peerClosed(payload);
      default -> throw new IllegalStateException("not a control opcode: " + opcode);
    }
  }

  private void peerClosed(byte[] payload) {
    int code = CloseCodes.NO_STATUS;
    String reason = "";
    // RFC 6455 §5.5.1: a Close payload is empty or a 2-byte code and a UTF-8 reason.
    if (payload.length == 1) {
      throw WebSocketException.protocolError("Close frame with a 1-byte payload");
    }
    if (payload.length >= 2) {
      code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
      // RFC 6455 §7.4: codes that may not be sent fail the connection.
      if (!CloseCodes.isValidOnWire(code)) {
        throw WebSocketException.protocolError("invalid close code " + code);
      }
      if (!Utf8Validator.isValid(payload, 2, payload.length)) {
        throw WebSocketException.invalidPayload("close reason is not valid UTF-8");
      }
      reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }
    if (reader != null) {
      reader.stop();
    }
    closeReceived = true;
    open = false;
    if (!closeSent) {
      // RFC 6455 §5.5.1: answer with a Close, echoing the code.
      closeSent = true;
      sender.sendClose(connection, code, "");
    }
    reportClose(code, reason);
    finishAfterHandshake();
  }

  /** Both Close frames have passed: the server closes the TCP connection first (§7.1.1). */
  private void finishAfterHandshake() {
    if (server) {
      connection.closeAfterFlush();
    } else {
      // The client waits for the server to close, but not for ever.
      cancel(closeTimer);
      closeTimer =
          connection.schedule(
              config.closeTimeout(),
              () ->
                  connection.close(CloseReason.local("server did not close after the handshake")));
    }
  }

  /** The peer broke the protocol: Close with the error's code, then drop the connection. */
  private void fail(WebSocketException e) {
    LOG.log(
        Level.DEBUG,
        () -> "websocket peer " + connection.remoteAddress() + " failed: " + e.getMessage());
    if (reader != null) {
      reader.stop();
    }
    open = false;
    if (!closeSent) {
      closeSent = true;
      sender.sendClose(connection, e.closeCode(), e.getMessage());
    }
    if (!closeReported) {
      dispatch(() -> listener.onError(this, e), 0);
    }
    reportClose(e.closeCode(), e.getMessage());
    connection.closeAfterFlush();
  }

  private void reportClose(int code, String reason) {
    if (closeReported) {
      return;
    }
    closeReported = true;
    dispatch(() -> listener.onClose(this, code, reason), 0);
  }

  // ---- delivering to the listener ----

  /**
   * Data the peer sent before it saw our Close is still delivered when the application closed (a
   * client that sends its last request and closes wants the answers: RFC 6455 §1.4 discards only
   * after <em>receiving</em> a Close, and the reader stops then). When we close because something
   * went wrong (a listener failed, a slow or idle peer, shutdown), it is dropped.
   */
  @Override
  public boolean discardingData() {
    return closeSent && !closeRequested;
  }

  @Override
  public void deliverText(String text, long bytes) {
    dispatch(() -> listener.onText(this, text), bytes);
  }

  @Override
  public void deliverBinary(ByteBuffer data) {
    Dispatcher d = dispatcher;
    if (d == null || d.runsInline()) {
      guard(() -> listener.onBinary(this, data));
      return;
    }
    int n = data.remaining();
    ByteBuffer copy = ByteBuffer.allocate(n).put(data.duplicate()).flip();
    dispatch(() -> listener.onBinary(this, copy), n);
  }

  @Override
  public Pipe startStream(MessageType type) {
    boolean wanted;
    try {
      wanted = listener.streamMessage(this, type);
    } catch (RuntimeException e) {
      listenerFailed(e);
      return null;
    }
    if (!wanted) {
      return null;
    }
    long limit = config.maxInboundBufferedBytes();
    var stream = new Pipe(limit, limit / 2 + 1, config.memoryBudget(), () -> drained(0));
    streaming = stream;
    queueingDispatcher()
        .dispatchBlocking(
            () -> {
              try {
                guardChecked(() -> listener.onStream(this, type, stream));
              } finally {
                stream.close(); // What the listener left unread is dropped.
              }
            },
            0);
    return stream;
  }

  @Override
  public void streamFull() {
    if (!readsPaused && connection.isOpen()) {
      readsPaused = true;
      connection.suspendReads();
    }
  }

  private void dispatch(Runnable event, long bytes) {
    Dispatcher d = dispatcher;
    if (d == null) {
      guard(event); // Nothing waits: an event-loop listener runs now, as Dispatcher would.
      return;
    }
    d.dispatch(() -> guard(event), bytes);
    if (bytes > 0) {
      pauseReadsIfBehind();
    }
  }

  /** Whether the session holds read state of its own now (tests: none between messages). */
  boolean holdsReader() {
    return reader != null || inbound != null;
  }

  /** Whether the session holds a dispatcher (tests: none for a quiet event-loop listener). */
  boolean holdsDispatcher() {
    return dispatcher != null;
  }

  private long queuedBytes() {
    Dispatcher d = dispatcher;
    return d == null ? 0 : d.queuedBytes();
  }

  /** The dispatcher, made now if the session had none (loop only). */
  private Dispatcher queueingDispatcher() {
    Dispatcher d = dispatcher;
    if (d == null) {
      d = new Dispatcher(false, this);
      dispatcher = d;
    }
    return d;
  }

  /** Backpressure on the peer while the listener's thread is behind. Loop only. */
  private void pauseReadsIfBehind() {
    if (!readsPaused && queuedBytes() > config.maxInboundBufferedBytes() && connection.isOpen()) {
      readsPaused = true;
      connection.suspendReads();
    }
  }

  /** The listener's thread consumed some; resume reading once it is well behind the limit. */
  @Override
  public void drained(long left) {
    if (left <= config.maxInboundBufferedBytes() / 2) {
      connection.execute(
          () -> {
            if (readsPaused
                && queuedBytes() <= config.maxInboundBufferedBytes() / 2
                && (streaming == null || !streaming.isPaused())) {
              readsPaused = false;
              connection.resumeReads();
            }
          });
    }
  }

  private void guard(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      listenerFailed(e);
    }
  }

  private interface CheckedCallback {
    void run() throws Exception;
  }

  private void guardChecked(CheckedCallback callback) {
    try {
      callback.run();
    } catch (Exception e) {
      listenerFailed(e);
    }
  }

  /** A listener threw: close with 1011 (internal error). Any thread. */
  private void listenerFailed(Throwable t) {
    if (!open && causedByIo(t)) {
      // The WebSocket was already closing, and the listener's read or send failed because of
      // that: I/O that ended with the connection, not a bug in the listener (log at debug).
      LOG.log(Level.DEBUG, () -> "websocket listener cut off by the close on " + connection, t);
    } else {
      LOG.log(Level.WARNING, () -> "websocket listener failed on " + connection, t);
    }
    onLoop(() -> startClose(CloseCodes.INTERNAL_ERROR, "internal error"));
  }

  private static boolean causedByIo(Throwable t) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  // ---- WebSocket: sending ----

  @Override
  public CompletableFuture<Void> sendText(CharSequence text) {
    return send(Opcodes.TEXT, PreparedMessage.utf8(text));
  }

  @Override
  public CompletableFuture<Void> sendBinary(ByteBuffer data) {
    return send(Opcodes.BINARY, data.duplicate());
  }

  @Override
  public CompletableFuture<Void> send(PreparedMessage message) {
    return send(message.opcode(), message.payload());
  }

  @Override
  public boolean trySend(PreparedMessage message) {
    if (connection == null || !open) {
      return false;
    }
    if (connection.inEventLoop()) {
      return sendOnLoop(message.opcode(), message.payload(), null);
    }
    return send(message.opcode(), message.payload(), null);
  }

  @Override
  public CompletableFuture<Void> sendPing(ByteBuffer data) {
    return sendControl(Opcodes.PING, data);
  }

  @Override
  public CompletableFuture<Void> sendPong(ByteBuffer data) {
    return sendControl(Opcodes.PONG, data);
  }

  private CompletableFuture<Void> sendControl(int opcode, ByteBuffer data) {
    if (data.remaining() > 125) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "control frame payload of " + data.remaining() + " bytes (at most 125)"));
    }
    ByteBuffer payload = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
    var future = new CompletableFuture<Void>();
    onLoop(
        () -> {
          if (closeSent || !connection.isOpen()) {
            future.completeExceptionally(closing());
            return;
          }
          sender.sendFrame(connection, opcode, true, false, payload);
          completeWhenWritable(future);
        });
    return future;
  }

  private CompletableFuture<Void> send(int opcode, ByteBuffer payload) {
    var future = new CompletableFuture<Void>();
    if (connection == null) {
      future.completeExceptionally(new IllegalStateException("not open yet"));
      return future;
    }
    if (connection.inEventLoop()) {
      sendOnLoop(opcode, payload, future);
      return future;
    }
    send(opcode, payload, future);
    return future;
  }

  /**
   * Hands a send from another thread to the loop; {@code future} may be null (a {@link #trySend}).
   * False when refused here already.
   */
  private boolean send(int opcode, ByteBuffer payload, CompletableFuture<Void> future) {
    long n = payload.remaining();
    // Checked here too, so a thread that sends without waiting cannot fill the loop's task queue.
    if (inFlight + connection.pendingBytes() >= config.maxOutboundBytes()) {
      slowConsumer(future);
      return false;
    }
    IN_FLIGHT.getAndAdd(this, n);
    onLoop(
        () -> {
          IN_FLIGHT.getAndAdd(this, -n);
          sendOnLoop(opcode, payload, future);
        });
    return true;
  }

  /**
   * Sends a message, or holds it behind a streamed one; {@code future} may be null (a {@link
   * #trySend}). False when refused: closing, or the peer too far behind.
   */
  private boolean sendOnLoop(int opcode, ByteBuffer payload, CompletableFuture<Void> future) {
    if (closeSent || !connection.isOpen()) {
      if (future != null) {
        future.completeExceptionally(closing());
      }
      return false;
    }
    if (sendingStream != null) {
      // A fragmented message is going out; this one follows it (RFC 6455 §5.4: no interleaving).
      // It is kept as a copy: a listener may send back the buffer it was lent for its callback.
      if (heldSends == null) {
        heldSends = new ArrayDeque<>();
      }
      ByteBuffer kept = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
      heldSends.add(() -> sendOnLoop(opcode, kept, future));
      return true;
    }
    if (connection.pendingBytes() >= config.maxOutboundBytes()) {
      slowConsumer(future);
      return false;
    }
    sender.sendMessage(connection, opcode, payload);
    if (future != null) {
      completeWhenWritable(future);
    }
    return true;
  }

  /** The peer is too far behind: fail {@code future} (if any) and apply the policy. */
  private void slowConsumer(CompletableFuture<Void> future) {
    SlowConsumerPolicy policy = config.slowConsumerPolicy();
    String message =
        "peer "
            + connection.remoteAddress()
            + " is not reading: "
            + connection.pendingBytes()
            + " bytes queued (limit "
            + config.maxOutboundBytes()
            + ")";
    if (future != null) {
      future.completeExceptionally(new SlowConsumerException(policy, message));
    }
    if (policy == SlowConsumerPolicy.CLOSE) {
      onLoop(
          () -> {
            LOG.log(Level.DEBUG, () -> message + "; closing with 1008");
            startClose(CloseCodes.POLICY_VIOLATION, "slow consumer");
          });
    }
  }

  private void completeWhenWritable(CompletableFuture<Void> future) {
    if (connection.isWritable()) {
      future.complete(null);
    } else {
      if (awaitingWritable == null) {
        awaitingWritable = new ArrayDeque<>();
      }
      awaitingWritable.add(future);
    }
  }

  @Override
  public OutputStream sendStream(MessageType type) {
    var stream =
        new MessageOutputStream(this, type == MessageType.TEXT ? Opcodes.TEXT : Opcodes.BINARY);
    onLoop(
        () -> {
          if (sendingStream == null) {
            sendingStream = stream;
          } else {
            if (heldSends == null) {
              heldSends = new ArrayDeque<>();
            }
            heldSends.add(() -> sendingStream = stream);
          }
        });
    return stream;
  }

  /** Sends one fragment of a stream; any thread. The future completes as for a message. */
  CompletableFuture<Void> sendFragment(
      MessageOutputStream stream, int opcode, boolean fin, ByteBuffer payload) {
    var future = new CompletableFuture<Void>();
    onLoop(
        () -> {
          if (closeSent || !connection.isOpen()) {
            future.completeExceptionally(closing());
            return;
          }
          if (sendingStream != stream) {
            // Messages ahead of it are still going out: wait behind them.
            if (heldSends == null) {
              heldSends = new ArrayDeque<>();
            }
            heldSends.add(() -> sendFragmentOnLoop(stream, opcode, fin, payload, future));
            return;
          }
          sendFragmentOnLoop(stream, opcode, fin, payload, future);
        });
    return future;
  }

  private void sendFragmentOnLoop(
      MessageOutputStream stream,
      int opcode,
      boolean fin,
      ByteBuffer payload,
      CompletableFuture<Void> future) {
    if (closeSent || !connection.isOpen()) {
      future.completeExceptionally(closing());
      return;
    }
    sender.sendFrame(connection, opcode, fin, false, payload);
    completeWhenWritable(future);
    if (fin && sendingStream == stream) {
      sendingStream = null;
      releaseHeld();
    }
  }

  private void releaseHeld() {
    while (heldSends != null && !heldSends.isEmpty() && sendingStream == null) {
      heldSends.poll().run();
    }
    if (heldSends != null && heldSends.isEmpty()) {
      heldSends = null;
    }
  }

  @Override
  public CompletableFuture<Void> close(int code, String reason) {
    if (!CloseCodes.isValidOnWire(code)) {
      throw new IllegalArgumentException("close code " + code + " may not be sent");
    }
    CompletableFuture<Void> closing = closeFuture();
    onLoop(
        () -> {
          if (!closeSent) {
            closeRequested = true;
          }
          startClose(code, reason);
        });
    return closing;
  }

  /**
   * The future that completes once the listener has been told of the close; made on first ask.
   * Whoever comes second of the asker and {@link #completeCloseFuture} completes it: each writes
   * its volatile, then reads the other's.
   */
  private CompletableFuture<Void> closeFuture() {
    CompletableFuture<Void> future = closeFuture;
    if (future == null) {
      var made = new CompletableFuture<Void>();
      future = CLOSE_FUTURE.compareAndSet(this, null, made) ? made : closeFuture;
    }
    if (closeDone) {
      future.complete(null);
    }
    return future;
  }

  private void completeCloseFuture() {
    closeDone = true;
    CompletableFuture<Void> future = closeFuture;
    if (future != null) {
      future.complete(null);
    }
  }

  /** Sends our Close and waits a while for the peer's. Loop only. */
  private void startClose(int code, String reason) {
    open = false;
    if (closeSent || !connection.isOpen()) {
      return;
    }
    closeSent = true;
    sender.sendClose(connection, code, reason);
    if (!closeReported) {
      // Reported with the peer's answer; this is what stands if none comes.
      closeTimer =
          connection.schedule(
              config.closeTimeout(),
              () -> {
                reportClose(
                    CloseCodes.ABNORMAL,
                    "no answer to our Close within " + Durations.format(config.closeTimeout()));
                connection.close(CloseReason.timeout("close handshake timed out"));
              });
    }
  }

  @Override
  public void abort() {
    onLoop(() -> connection.close(CloseReason.local("aborted")));
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public Optional<String> subprotocol() {
    return subprotocol;
  }

  @Override
  public String extensions() {
    return deflate.map(PerMessageDeflate.Agreement::header).orElse("");
  }

  @Override
  public SocketAddress remoteAddress() {
    return connection.remoteAddress();
  }

  @Override
  public SocketAddress localAddress() {
    return connection.localAddress();
  }

  @Override
  public long bufferedBytes() {
    return connection.pendingBytes() + inFlight;
  }

  // ---- keepalive and idle close ----

  /**
   * Asks the connection to wake us at the next ping or idle deadline. Reads only move {@link
   * #lastReceivedNanos}; a wake-up before the real deadline simply asks again, so traffic never
   * touches the timer.
   */
  private void armKeepalive() {
    long ping = config.pingInterval().toNanos();
    long idle = config.idleTimeout().toNanos();
    long next = Long.MAX_VALUE;
    if (idle > 0) {
      next = lastReceivedNanos + idle;
    }
    if (ping > 0 && !closeSent) {
      next = Math.min(next, Math.max(lastReceivedNanos, lastPingNanos) + ping);
    }
    connection.wakeUpAt(next);
  }

  @Override
  public void wakeUp(Connection c) {
    if (!connection.isOpen()) {
      return;
    }
    long now = connection.nanoTime();
    long silent = now - lastReceivedNanos;
    long idle = config.idleTimeout().toNanos();
    long ping = config.pingInterval().toNanos();
    if (idle > 0 && silent >= idle) {
      if (closeSent) {
        connection.close(CloseReason.timeout("idle while closing"));
        return;
      }
      reportClose(CloseCodes.GOING_AWAY, "idle for " + Durations.format(config.idleTimeout()));
      startClose(CloseCodes.GOING_AWAY, "idle timeout");
      armKeepalive();
      return;
    }
    if (ping > 0 && silent >= ping && now - lastPingNanos >= ping && !closeSent) {
      lastPingNanos = now;
      sender.sendFrame(connection, Opcodes.PING, true, false, ByteBuffer.allocate(0));
    }
    armKeepalive();
  }

  // ---- helpers ----

  @Override
  public void execute(Runnable task) {
    connection.execute(task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return connection.schedule(
        delay,
        () -> {
          if (connection.isOpen()) {
            task.run();
          }
        });
  }

  private void onLoop(Runnable action) {
    if (connection.inEventLoop()) {
      action.run();
    } else {
      connection.execute(action);
    }
  }

  private static IOException closing() {
    return new IOException("the WebSocket is closing or closed");
  }

  private static void cancel(Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  @Override
  public String toString() {
    return name() + " with " + (connection == null ? "?" : connection.remoteAddress());
  }
}
