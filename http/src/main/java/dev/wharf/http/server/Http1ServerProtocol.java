package dev.wharf.http.server;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Durations;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Pipe;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpException;
import dev.wharf.http.RequestHead;
import dev.wharf.http.codec.ExpectContinue;
import dev.wharf.http.codec.Http1RequestDecoder;
import dev.wharf.http.codec.MessageParseException;
import dev.wharf.http.h2.frame.ConnectionPreface;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The server side of HTTP/1.1 on one connection: decodes requests, answers them one at a time in
 * the order they came (pipelining), keeps the connection alive between them, and enforces the
 * slowloris deadlines. A protocol error is answered with its status and closes the connection.
 *
 * <p>The peer's FIN means it sends no more requests, not that it stopped reading (RFC 9112 §9.6: a
 * client may half-close after its last request, as {@code nc -N} and {@code socat} do). Every
 * request already received is answered, in order, and the connection closes after the last
 * response; a FIN between requests closes at once, and a FIN inside a request (its head or body cut
 * short) is answered 400 after the requests before it. Under TLS the same holds for a TCP FIN and
 * for a TLS 1.3 close_notify; a TLS 1.2 close_notify ends our sending too (RFC 5246 §7.2.1).
 *
 * <pre>
 *   idle --first byte--> reading head --head--> reading body --end--> queued --> handling
 *     ^                                                                            |
 *     +---------------------- response ended, keep-alive --------------------------+
 * </pre>
 *
 * <p>Runs on the connection's loop; handler threads come back through {@link Connection#execute}.
 */
final class Http1ServerProtocol
    implements Protocol,
        Http1RequestDecoder.Sink,
        ServerResponse.Completion,
        java.util.function.Consumer<Throwable> {
  private static final System.Logger LOG = LazyLogger.of(Http1ServerProtocol.class);

  /** Pipelined requests waiting beyond this stop reading until the queue drains. */
  private static final int MAX_QUEUED = 64;

  /**
   * Methods whose content means nothing (RFC 9110 §9.3.1, §9.3.2, §9.3.8): such a body is read (and
   * counted against the limit) but not kept, so it costs no heap. A switch, not {@code
   * Set.of(...).contains}, for the reason {@link Dispatcher#isKnownMethod} gives: the set's probe
   * showed in the profile of every request.
   */
  private static boolean bodyIgnored(String method) {
    return switch (method) {
      case "GET", "HEAD", "TRACE" -> true;
      default -> false;
    };
  }

  private static final String RETRY_AFTER_SECONDS = Dispatcher.RETRY_AFTER_SECONDS;

  /**
   * A streamed body buffered past this much stops reading from the socket until the handler has
   * read it below {@link #BODY_LOW_WATER}: a client cannot send faster than the handler consumes.
   */
  static final int BODY_HIGH_WATER = 256 * 1024;

  static final int BODY_LOW_WATER = 64 * 1024;

  /** Why reads are suspended; reading resumes when no reason is left. */
  private static final int QUEUE_FULL = 1;

  private static final int BODY_BACKPRESSURE = 2;
  private static final int UPGRADE_PENDING = 4;
  private static final int FAILED = 8;

  private final HttpServer.Config config;

  /**
   * Null while the connection is between requests: an idle connection holds no decoder (its line
   * buffer, field section, remembered headers); it borrows its loop's spare when bytes come.
   */
  private Http1RequestDecoder decoder;

  /** Requests waiting for their turn to be answered (pipelining). */
  // Null while empty between requests: borrowed from the loop's LoopSpares for a request and given
  // back when the connection goes idle, so an idle connection holds no queue.
  private ArrayDeque<ServerRequest> queue;

  /**
   * A protocol error to answer once the queued requests are answered; the connection then closes,
   * so nothing is ever queued after it.
   */
  private HttpException errorAfterQueue;

  /** Made once: every response reports back through it. */
  private final Dispatcher dispatcher;

  /** Frames every response on this connection, one after another; made when it opens. */
  private Http1ResponseSink sink;

  private Connection connection;

  /**
   * The loop's spares, looked up once: a thread local per read and per response showed in the
   * profile.
   */
  private LoopSpares spares;

  private TlsSession tls;
  private RequestHead head;
  private ByteArrayOutputStream body;
  private boolean discardingBody;

  /** Bytes of buffered bodies (being read, or queued with their request) held in the budget. */
  private long budgeted;

  private Routes.Route streamingRoute;

  /** The body being received on a streaming route, from the loop to the handler's thread. */
  private Pipe receiving;

  /** The request whose body {@link #receiving} is, told its trailers at the end. */
  private ServerRequest receivingRequest;

  private ByteBuffer held;
  private ServerResponse current;

  /** Inside {@link #next}; and whether a completion inside it asked for the next one. */
  private boolean inNext;

  private boolean nextAgain;
  private Cancellable headDeadline;

  /**
   * Whether a keep-alive check is pending (a {@link Connection#wakeUpAt} on the connection's own
   * timer). It is not moved on every request: it checks when it comes and asks again if the
   * connection has not been idle long enough.
   */
  private boolean idleCheckPending;

  /** When the connection last became idle (on the loop's clock). */
  private long idleSinceNanos;

  private Cancellable bodyRateCheck;
  private long bodyReceived;

  /**
   * {@link #bodyReceived} at each of the last checks, one a second, as a ring: the oldest is what
   * had arrived one window ago. Made on the first body; one window long.
   */
  private long[] rateWindow;

  private int rateSlot;

  /** Checks since the window last started filling (the body began, or reading resumed). */
  private int rateChecks;

  private boolean failed;
  private boolean upgraded;
  private int suspended;
  private boolean shuttingDown;

  /** The peer sent FIN: no more requests come; close once those received are answered. */
  private boolean inputDone;

  /** Why the connection closed, once it has; a response that ends after it did not go out. */
  private CloseReason closeReason;

  /**
   * A response that ended with more queued than the high watermark (a large file), not yet logged:
   * its log line waits until the queue drains or the connection closes, so that a transfer cut off
   * logs the bytes that went out rather than its length. Null when none.
   */
  private ServerResponse unlogged;

  /**
   * Where {@link #unlogged} ends in the stream of bytes written ({@link Connection#bytesWritten}).
   */
  private long unloggedEnd;

  /**
   * Whether the connection may turn out to be HTTP/2 by prior knowledge (h2c, RFC 9113 §3.3): until
   * the first bytes tell, up to the preface's 24 are held back.
   */
  private boolean h2cPossible;

  private ByteBuffer prefaceHeld;

  Http1ServerProtocol(HttpServer.Config config) {
    this(new Dispatcher(config), false);
  }

  /**
   * @param h2c whether a connection that begins with HTTP/2's preface is handed to HTTP/2
   */
  Http1ServerProtocol(Dispatcher dispatcher, boolean h2c) {
    this.config = dispatcher.config();
    this.h2cPossible = h2c;
    this.dispatcher = dispatcher;
  }

  @Override
  public String name() {
    return "http/1.1";
  }

  @Override
  public void opened(Connection c) {
    this.connection = c;
    this.spares = LoopSpares.onLoop();
    this.sink = new Http1ResponseSink(c);
    // Under TLS the handshake is over before the application's protocol opens: read it once.
    this.tls = TlsSession.of(c).orElse(null);
    armIdle();
  }

  @Override
  public void received(Connection c, ByteBuffer data) {
    if (failed) {
      data.position(data.limit()); // After an error we only finish answering and close.
      return;
    }
    if (h2cPossible) {
      data = sniffPreface(data);
      if (data == null) {
        return;
      }
    }
    if (decoder == null) {
      decoder = spares.decoder(config.limits());
    }
    try {
      decoder.decode(data, this);
    } catch (HttpException e) {
      fail(e); // Thrown by this protocol's own callbacks (503 when short of memory).
      return;
    } catch (MessageParseException e) {
      fail(new HttpException(status(e.kind()), e.getMessage()));
      return;
    }
    if (decoderPaused() && data.hasRemaining()) {
      // Bytes after a request to upgrade wait for the handler's decision: they may not be HTTP.
      held = append(held, data);
      return;
    }
    if (!decoderIdle() && head == null && headDeadline == null) {
      // Part of a request head arrived: it must be complete within the deadline (slowloris).
      headDeadline =
          c.schedule(
              config.timeouts().requestHead(),
              () -> fail(new HttpException(408, "request head too slow")));
    }
    if (decoder != null && decoder.isAtRest()) {
      spares.give(decoder); // Between requests: the loop's next reader takes it.
      decoder = null;
    }
  }

  private boolean queueEmpty() {
    return queue == null || queue.isEmpty();
  }

  private boolean decoderIdle() {
    return decoder == null || decoder.isIdle();
  }

  private boolean decoderPaused() {
    return decoder != null && decoder.isPaused();
  }

  /**
   * Tells HTTP/2 by prior knowledge from HTTP/1.1 on a connection's first bytes (no request line
   * begins with {@code PRI * HTTP/2.0}, RFC 9113 §3.4): the preface hands the connection, with the
   * bytes read, to HTTP/2. Returns what HTTP/1.1 is to decode, or null when there is nothing (yet).
   */
  private ByteBuffer sniffPreface(ByteBuffer data) {
    ByteBuffer probe = data;
    if (prefaceHeld != null) {
      prefaceHeld = append(prefaceHeld, data);
      probe = prefaceHeld.duplicate().flip();
    }
    switch (ConnectionPreface.match(probe)) {
      case NEED_MORE -> {
        if (prefaceHeld == null) {
          prefaceHeld = append(null, data);
        }
        if (headDeadline == null) {
          headDeadline =
              connection.schedule(
                  config.timeouts().requestHead(),
                  () -> fail(new HttpException(408, "request head too slow")));
        }
        return null;
      }
      case PREFACE -> {
        h2cPossible = false;
        ByteBuffer leftover = ByteBuffer.allocate(probe.remaining()).put(probe).flip();
        data.position(data.limit());
        prefaceHeld = null;
        upgraded = true;
        cancelDeadlines();
        connection.switchProtocol(Http2Exchanges.protocol(config), leftover);
        return null;
      }
      default -> {
        h2cPossible = false;
        if (prefaceHeld == null) {
          return data;
        }
        ByteBuffer held = prefaceHeld.flip();
        prefaceHeld = null;
        return held;
      }
    }
  }

  // ---- decoder events ----

  @Override
  public long maxBodyBytes(RequestHead requestHead, long configured) {
    // Known before the body is framed, so a refused body (413) is logged with its request.
    head = requestHead;
    streamingRoute = null;
    discardingBody = bodyIgnored(requestHead.method());
    if (config.routes().anyStreaming()
        && config.routes().find(requestHead.method(), pathOf(requestHead.target()))
            instanceof Routes.Found found
        && found.route().streaming()) {
      streamingRoute = found.route();
      return found.route().maxBodyBytes();
    }
    return configured;
  }

  @Override
  public void head(RequestHead requestHead) {
    cancel(headDeadline);
    headDeadline = null;
    head = requestHead;
    body = null;
    bodyReceived = 0;
    boolean hasBody =
        requestHead.headers().contains("Content-Length")
            || requestHead.headers().contains("Transfer-Encoding");
    if (hasBody) {
      armBodyRateCheck();
    }
    if (streamingRoute != null) {
      if (hasBody && !config.budget().hasRoomFor(firstReadBytes(requestHead))) {
        // The handlers are behind on the budget: refuse from here, before a handler starts. A
        // handler would first make its file (or whatever it writes to) and only then learn of the
        // refusal; 12,000 of them at once kept the loop's answers waiting for tens of seconds.
        throw new HttpException(503, "server short of memory for request bodies; retry later");
      }
      // The handler starts now and reads the body as it comes; it is queued like any request.
      receiving =
          new Pipe(BODY_HIGH_WATER, BODY_LOW_WATER, config.budget(), new BodyFlow(requestHead));
      receivingRequest =
          new ServerRequest(
              requestHead,
              EMPTY,
              receiving,
              connection.remoteAddress(),
              connection.localAddress(),
              tls);
      enqueue(receivingRequest);
      if (!hasBody) {
        receiving.finish(); // end() follows at once.
      }
      return;
    }
    // RFC 9110 §10.1.1: tell a client that waits for it to send the body.
    if (hasBody && ExpectContinue.isExpected(requestHead) && current == null && queueEmpty()) {
      connection.write(ExpectContinue.interimResponse());
    }
  }

  /**
   * What a streamed body's first reads may hold in the budget: its declared length, at most the low
   * watermark (what the pipe holds before it asks for more).
   */
  private static long firstReadBytes(RequestHead requestHead) {
    try {
      return requestHead
          .headers()
          .first("Content-Length")
          .map(length -> Math.min(Long.parseLong(length.strip()), BODY_LOW_WATER))
          .orElse((long) BODY_LOW_WATER);
    } catch (NumberFormatException e) {
      return BODY_LOW_WATER; // The codec has refused such a length already.
    }
  }

  @Override
  public void body(ByteBuffer chunk) {
    int n = chunk.remaining();
    bodyReceived += n;
    if (receiving != null) {
      if (receiving.received() == 0 && !config.budget().hasRoomFor(n)) {
        // A new body while the handlers are behind on the budget: refuse it, as a buffered one.
        // Each pipe may go one read past a spent budget; thousands of new ones would fill the heap.
        throw new HttpException(503, "server short of memory for request bodies; retry later");
      }
      if (receiving.offer(chunk)) {
        suspend(BODY_BACKPRESSURE);
      }
      return;
    }
    if (discardingBody) {
      chunk.position(chunk.limit());
      return;
    }
    if (!config.budget().tryReserve(n)) {
      // Many connections holding large bodies at once: refuse this one, not die of the heap.
      throw new HttpException(503, "server short of memory for request bodies; retry later");
    }
    budgeted += n;
    if (body == null) {
      body = new ByteArrayOutputStream(Math.min(chunk.remaining(), 64 * 1024));
    }
    if (chunk.hasArray()) {
      body.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
      chunk.position(chunk.limit());
    } else {
      byte[] copy = new byte[chunk.remaining()];
      chunk.get(copy);
      body.writeBytes(copy);
    }
  }

  @Override
  public void end(Headers trailers) {
    cancel(bodyRateCheck);
    bodyRateCheck = null;
    RequestHead ended = head;
    head = null;
    if (ended.isUpgradeRequest()) {
      // Decide on the upgrade before reading on: what follows may be another protocol.
      decoder.pause();
      suspend(UPGRADE_PENDING);
    }
    if (receiving != null) {
      receivingRequest.trailers(trailers); // Before the reader can see the body's end.
      receivingRequest = null;
      receiving.finish();
      receiving = null;
      return;
    }
    byte[] bytes = body == null ? EMPTY : body.toByteArray();
    body = null;
    var request =
        new ServerRequest(
            ended, bytes, null, connection.remoteAddress(), connection.localAddress(), tls);
    if (trailers.size() > 0) {
      request.trailers(trailers);
    }
    enqueue(request);
  }

  private void enqueue(ServerRequest request) {
    if (queue == null) {
      queue = spares.queue();
    }
    queue.add(request);
    if (queue.size() > MAX_QUEUED) {
      suspend(QUEUE_FULL);
    }
    if (current == null) {
      next();
    }
  }

  /** The reading side of a streamed body asks the loop for a 100 Continue or more data. */
  private final class BodyFlow implements Pipe.Flow {
    private final RequestHead requestHead;

    BodyFlow(RequestHead requestHead) {
      this.requestHead = requestHead;
    }

    @Override
    public void firstRead() {
      if (ExpectContinue.isExpected(requestHead)) {
        connection.execute(
            () -> {
              // Only if the client is still waiting: no body byte has come yet.
              if (!failed && head == requestHead && bodyReceived == 0) {
                connection.write(ExpectContinue.interimResponse());
              }
            });
      }
    }

    @Override
    public void drained() {
      connection.execute(() -> resume(BODY_BACKPRESSURE));
    }
  }

  // ---- answering, one at a time ----

  /**
   * Starts the next queued request. A handler that answers at once (on the loop) completes inside
   * {@link #dispatch}, and its completion asks for the next again: that call only notes it, and the
   * outermost one goes round, so a long pipelined queue answered from a cache is a loop, not a
   * recursion as deep as the queue (which overflowed the loop's stack).
   */
  private void next() {
    if (inNext) {
      nextAgain = true;
      return;
    }
    inNext = true;
    try {
      do {
        nextAgain = false;
        startNext();
      } while (nextAgain);
    } finally {
      inNext = false;
    }
  }

  private void startNext() {
    ServerRequest request = queue == null ? null : queue.poll();
    if (queue == null || queue.size() <= MAX_QUEUED) {
      resume(QUEUE_FULL);
    }
    if (request == null) {
      if (queue != null) {
        spares.give(queue); // Empty: the loop's next request takes it.
        queue = null;
      }
      if (errorAfterQueue != null) {
        HttpException error = errorAfterQueue;
        errorAfterQueue = null;
        answerError(error);
      } else if (inputDone && !decoderPaused()) {
        connection.closeAfterFlush(); // The last request received is answered.
      } else if (decoderIdle() && !failed && !decoderPaused()) {
        armIdle();
      }
      return;
    }
    boolean keepAlive = request.head().keepAlive() && !shuttingDown;
    var response =
        new ServerResponse(
            connection, sink, request, keepAlive, startTime(), this, spares.headers());
    current = response;
    dispatch(request, response);
  }

  private void dispatch(ServerRequest request, ServerResponse response) {
    dispatcher.dispatch(request, response, this);
  }

  /**
   * A handler failed after its response's head went out: the connection is cut off. This protocol
   * is that callback itself (not a lambda made once per connection or per request).
   */
  @Override
  public void accept(Throwable failure) {
    connection.close(CloseReason.error(failure));
  }

  /**
   * Called on the loop when a response has ended. This protocol is its responses' completion
   * itself, not through a method reference: one object fewer on every connection.
   */
  @Override
  public void completed(ServerResponse response) {
    if (response != current) {
      return;
    }
    current = null;
    spares.give(response.headers()); // It has ended: its fields are not read again.
    ServerRequest request = response.request();
    if (request.isBodyStreamed()) {
      // The exchange is over: what the handler left unread is dropped, and its budget given back.
      request.stream().close();
    } else {
      releaseBudget(request.bodyLength());
    }
    logWhenSent(response);
    if (response.upgradedTo() != null) {
      // After this turn, when the decoder (maybe still on the stack) has held back what follows.
      Protocol next = response.upgradedTo();
      connection.execute(() -> switchTo(next));
      return;
    }
    if (decoderPaused()) {
      // The upgrade was declined: go on reading HTTP, from the bytes held back, once this turn
      // (still inside the decoder's call) is over.
      connection.execute(this::resumeAfterDeclinedUpgrade);
    }
    if (!response.keepAlive() || shuttingDown) {
      failed = true;
      connection.closeAfterFlush();
      return;
    }
    next();
  }

  /** When a response begins, as the access log records it; nothing is made without a log. */
  private Instant startTime() {
    return config.accessLog() == null ? null : Instant.now();
  }

  /**
   * Logs a response that ended, now if what is queued is below the high watermark (it goes out with
   * this turn's flush), else once the queue drains below the low one or the connection closes, with
   * the bytes the socket took by then.
   */
  private void logWhenSent(ServerResponse response) {
    if (config.accessLog() == null) {
      return;
    }
    logUnlogged(); // One at a time: pipelined responses log in order.
    if (closeReason == null && response.upgradedTo() == null && !connection.isWritable()) {
      unlogged = response;
      unloggedEnd = connection.bytesWritten() + connection.pendingBytes();
      return;
    }
    logAccess(response, response.request(), response.bodyBytes());
  }

  /** Logs the response that waited for its bytes to go out, if any, with what went out. */
  private void logUnlogged() {
    ServerResponse response = unlogged;
    if (response == null) {
      return;
    }
    unlogged = null;
    long sent = response.bodyBytes();
    if (closeReason != null) {
      // Whatever of it had not reached the socket when it closed never went out.
      sent = Math.max(0, sent - Math.max(0, unloggedEnd - connection.bytesWritten()));
    }
    accept(response, response.request(), response.status(), sent);
  }

  private void logAccess(ServerResponse response, ServerRequest request, long bodyBytes) {
    // A response that ended after we closed the connection was dropped by us: log nginx's 444
    // (closed without an answer), not the status it never sent. When the peer reset or left
    // first, the status stands for what the handler answered, as in nginx's log.
    boolean droppedByUs = closeReason != null && !closedByPeer(closeReason);
    if (closeReason != null && response.upgradedTo() == null) {
      // Written after the close (a file region queued, or a streamed body's last writes, racing
      // the reset): dropped, not sent. Only what the socket took before the close went out.
      bodyBytes = response.bodyBytesWrittenBy(connection.bytesWritten());
    }
    accept(response, request, droppedByUs ? 444 : response.status(), droppedByUs ? 0 : bodyBytes);
  }

  private void accept(ServerResponse response, ServerRequest request, int status, long bodyBytes) {
    config
        .accessLog()
        .accept(
            new AccessLogEntry(
                connection.remoteAddress(),
                response.started(),
                request.head() == UNREAD_HEAD ? "-" : request.toString(),
                status,
                bodyBytes,
                request.header("User-Agent").orElse("")));
  }

  private static boolean closedByPeer(CloseReason reason) {
    return reason.kind() == CloseReason.Kind.PEER || reason.kind() == CloseReason.Kind.ERROR;
  }

  /** Hands the connection on; this protocol is done with it. */
  private void switchTo(Protocol next) {
    upgraded = true;
    cancelDeadlines();
    ByteBuffer leftover = held == null ? ByteBuffer.allocate(0) : held.flip();
    held = null;
    if (suspended != 0) {
      suspended = 0;
      connection.resumeReads();
    }
    connection.switchProtocol(next, leftover);
    if (inputDone && connection.isOpen()) {
      next.inputClosed(connection); // The FIN came while the upgrade was being decided.
    }
  }

  private void resumeAfterDeclinedUpgrade() {
    if (upgraded || !connection.isOpen()) {
      return;
    }
    if (decoder != null) { // Paused, so kept: only a decoder at rest goes back to the loop.
      decoder.resume();
    }
    resume(UPGRADE_PENDING);
    ByteBuffer pending = held;
    held = null;
    if (pending != null && !failed) {
      received(connection, pending.flip());
    }
    if (inputDone && !decoderPaused()) {
      endOfRequests();
    }
  }

  // ---- the peer's FIN ----

  @Override
  public void inputClosed(Connection c) {
    inputDone = true;
    if (!decoderPaused()) { // Else after the upgrade is decided: the bytes held may be HTTP.
      endOfRequests();
    }
  }

  /**
   * No more requests come (RFC 9112 §9.6): answer the ones received, in order, then close. A
   * request cut short by the FIN is incomplete (RFC 9112 §8), so it is answered 400, as the last.
   */
  private void endOfRequests() {
    if (failed) {
      return; // Already answering an error or closing.
    }
    if (head != null) {
      fail(HttpException.badRequest("connection closed before the request body ended"));
    } else if (!decoderIdle()) {
      fail(HttpException.badRequest("connection closed before the request head ended"));
    } else if (current == null && queueEmpty()) {
      connection.closeAfterFlush(); // Idle between requests: nothing to answer.
    }
    // Else the response to the last request received closes the connection (next()).
  }

  // ---- errors and deadlines ----

  /** The answer to a request the codec refused (RFC 9110 §15.5 and §15.6). */
  static int status(MessageParseException.Kind kind) {
    return switch (kind) {
      case MALFORMED -> 400;
      case BODY_TOO_LARGE -> 413;
      case REQUEST_LINE_TOO_LONG -> 414;
      case HEADERS_TOO_LARGE -> 431;
      case UNSUPPORTED_TRANSFER_CODING -> 501;
      case UNSUPPORTED_VERSION -> 505;
    };
  }

  /** The peer broke the protocol: answer after what is already queued, then close. */
  private void fail(HttpException error) {
    if (failed) {
      return;
    }
    failed = true;
    cancel(headDeadline);
    cancel(bodyRateCheck);
    suspend(FAILED);
    LOG.log(
        Level.DEBUG,
        () -> "bad request from " + connection.remoteAddress() + ": " + error.getMessage());
    if (receiving != null) {
      // A streaming handler owns this request: it learns of the error when it reads, and
      // answers with the error's status. If it never answers, the connection still ends.
      receiving.fail(new RequestBodyException(error.status(), error.getMessage()));
      receiving = null;
      receivingRequest = null;
      connection.schedule(
          config.timeouts().requestHead(),
          () -> connection.close(CloseReason.local("no answer to " + error.getMessage())));
      return;
    }
    errorAfterQueue = error;
    if (current == null) {
      next();
    }
  }

  private void answerError(HttpException error) {
    var request =
        new ServerRequest(
            head == null ? UNREAD_HEAD : head,
            EMPTY,
            connection.remoteAddress(),
            connection.localAddress());
    var response =
        new ServerResponse(connection, sink, request, false, startTime(), this, spares.headers());
    current = response;
    if (error.status() == 503) {
      response.header("Retry-After", RETRY_AFTER_SECONDS);
    }
    response.sendError(error.status(), error.getMessage());
  }

  /**
   * The connection is idle from now: it closes if no request begins within the keep-alive time.
   * Only records the time when a check is already pending, so a busy connection costs the timer
   * wheel one check per keep-alive period, not a cancel and a schedule per request.
   */
  private void armIdle() {
    idleSinceNanos = connection.nanoTime();
    if (!idleCheckPending) {
      idleCheckPending = true;
      connection.wakeUpAt(idleSinceNanos + config.timeouts().keepAliveIdle().toNanos());
    }
  }

  @Override
  public void wakeUp(Connection c) {
    idleCheckPending = false;
    if (!decoderIdle() || current != null || !queueEmpty()) {
      return; // Busy: the next armIdle, when the work is done, starts a new check.
    }
    Duration keepAlive = config.timeouts().keepAliveIdle();
    long left = keepAlive.toNanos() - (connection.nanoTime() - idleSinceNanos);
    if (left > 0) {
      idleCheckPending = true;
      connection.wakeUpAt(connection.nanoTime() + left);
    } else {
      connection.close(CloseReason.timeout("keep-alive idle for " + Durations.format(keepAlive)));
    }
  }

  /**
   * Checks once a second that the body arrived at the minimum rate over the last window (the
   * request-head timeout, in whole seconds): a sliding window, not an average since the start, so
   * one fast burst buys no more than a window of silence. The first window is the grace period.
   */
  private void armBodyRateCheck() {
    if (config.timeouts().minBodyBytesPerSecond() == 0) {
      return;
    }
    int seconds = Math.clamp(config.timeouts().requestHead().toSeconds(), 1, 3600);
    if (rateWindow == null || rateWindow.length != seconds) {
      rateWindow = new long[seconds];
    }
    restartRateWindow();
    bodyRateCheck = connection.schedule(Duration.ofSeconds(1), this::checkBodyRate);
  }

  private void restartRateWindow() {
    Arrays.fill(rateWindow, bodyReceived);
    rateChecks = 0;
  }

  private void checkBodyRate() {
    if (head == null) {
      return;
    }
    bodyRateCheck = connection.schedule(Duration.ofSeconds(1), this::checkBodyRate);
    if (suspended != 0) {
      // We stopped reading (a slow handler, a full queue): the client is not to blame.
      restartRateWindow();
      return;
    }
    long windowAgo = rateWindow[rateSlot];
    rateWindow[rateSlot] = bodyReceived;
    rateSlot = (rateSlot + 1) % rateWindow.length;
    long minRate = config.timeouts().minBodyBytesPerSecond();
    long inWindow = bodyReceived - windowAgo;
    if (++rateChecks >= rateWindow.length && inWindow < minRate * rateWindow.length) {
      fail(
          new HttpException(
              408,
              "request body arriving too slowly ("
                  + inWindow
                  + " bytes in the last "
                  + rateWindow.length
                  + " s, below "
                  + minRate
                  + " bytes/s)"));
    }
  }

  @Override
  public void writabilityChanged(Connection c, boolean writable) {
    if (writable) {
      logUnlogged();
    }
    if (writable && current != null) {
      current.writableAgain();
    }
  }

  @Override
  public void shutdownRequested(Connection c) {
    shuttingDown = true;
    if (current == null && decoderIdle() && queueEmpty()) {
      c.closeAfterFlush();
    }
  }

  @Override
  public void closed(Connection c, CloseReason reason) {
    closeReason = reason;
    logUnlogged();
    if (queue != null) {
      queue.clear(); // Pipelined requests not begun: nobody is left to answer.
    }
    cancelDeadlines();
    body = null;
    releaseBudget(budgeted); // Bodies cut short, and those of requests never answered.
    if (receiving != null) {
      receiving.fail(
          new RequestBodyException(400, "connection closed before the request body ended"));
      receiving = null;
      receivingRequest = null;
    }
    if (current != null) {
      current.writableAgain(); // Wake a handler blocked on a connection that is gone.
    }
  }

  private void cancelDeadlines() {
    cancel(headDeadline);
    if (idleCheckPending) {
      idleCheckPending = false;
      connection.wakeUpAt(Long.MAX_VALUE); // Not for the protocol after an upgrade.
    }
    cancel(bodyRateCheck);
  }

  private void releaseBudget(long bytes) {
    long n = Math.min(bytes, budgeted);
    if (n > 0) { // Most requests have no body: no atomic update for them.
      budgeted -= n;
      config.budget().release(n);
    }
  }

  private void suspend(int reason) {
    if (suspended == 0) {
      connection.suspendReads();
    }
    suspended |= reason;
  }

  private void resume(int reason) {
    if ((suspended & reason) == 0) {
      return;
    }
    suspended &= ~reason;
    if (suspended == 0 && !failed) {
      connection.resumeReads();
    }
  }

  private static String pathOf(String target) {
    int query = target.indexOf('?');
    return query < 0 ? target : target.substring(0, query);
  }

  /** Copies what is left of {@code data} onto {@code into} (in write mode), growing it. */
  private static ByteBuffer append(ByteBuffer into, ByteBuffer data) {
    if (into == null) {
      into = ByteBuffer.allocate(Math.max(data.remaining(), 256));
    } else if (into.remaining() < data.remaining()) {
      into = ByteBuffer.allocate(into.position() + data.remaining()).put(into.flip());
    }
    return into.put(data);
  }

  private static void cancel(Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  private static final byte[] EMPTY = new byte[0];

  /** Stands for a request whose head never arrived whole, so the log shows "-" for it. */
  private static final RequestHead UNREAD_HEAD =
      new RequestHead("GET", "/", "HTTP/1.1", Headers.EMPTY);
}
