package dev.wharf.http;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.http.codec.Http1RequestDecoder;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * The server side of HTTP/1.1 on one connection: decodes requests, answers them one at a time in
 * the order they came (pipelining), keeps the connection alive between them, and enforces the
 * slowloris deadlines. A protocol error is answered with its status and closes the connection.
 *
 * <pre>
 *   idle --first byte--> reading head --head--> reading body --end--> queued --> handling
 *     ^                                                                            |
 *     +---------------------- response ended, keep-alive --------------------------+
 * </pre>
 *
 * <p>Runs on the connection's loop; handler threads come back through {@link Connection#execute}.
 */
final class Http1ServerProtocol implements Protocol, Http1RequestDecoder.Sink {
  private static final System.Logger LOG = System.getLogger(Http1ServerProtocol.class.getName());

  /** Pipelined requests waiting beyond this stop reading until the queue drains. */
  private static final int MAX_QUEUED = 64;

  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  /** A request to answer, or a protocol error to answer with before closing. */
  private record Work(Request request, HttpException error) {}

  /** Why reads are suspended; reading resumes when no reason is left. */
  private static final int QUEUE_FULL = 1;

  private static final int BODY_BACKPRESSURE = 2;
  private static final int UPGRADE_PENDING = 4;
  private static final int FAILED = 8;

  private final HttpServer.Config config;
  private final Http1RequestDecoder decoder;
  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private Connection connection;
  private RequestHead head;
  private ByteArrayOutputStream body;
  private Routes.Route streamingRoute;
  private StreamedBody receiving;
  private ByteBuffer held;
  private Response current;
  private Cancellable headDeadline;
  private Cancellable idleDeadline;
  private Cancellable bodyRateCheck;
  private long bodyReceived;
  private long rateBaseNanos;
  private long rateBaseBytes;
  private boolean failed;
  private boolean upgraded;
  private int suspended;
  private boolean shuttingDown;

  Http1ServerProtocol(HttpServer.Config config) {
    this.config = config;
    this.decoder = new Http1RequestDecoder(config.limits());
  }

  @Override
  public String name() {
    return "http/1.1";
  }

  @Override
  public void opened(Connection c) {
    this.connection = c;
    armIdle();
  }

  @Override
  public void received(Connection c, ByteBuffer data) {
    if (failed) {
      data.position(data.limit()); // After an error we only finish answering and close.
      return;
    }
    if (decoder.isIdle()) {
      cancel(idleDeadline);
      idleDeadline = null;
    }
    try {
      decoder.decode(data, this);
    } catch (HttpException e) {
      fail(e);
      return;
    }
    if (decoder.isPaused() && data.hasRemaining()) {
      // Bytes after a request to upgrade wait for the handler's decision: they may not be HTTP.
      held = append(held, data);
      return;
    }
    if (!decoder.isIdle() && head == null && headDeadline == null) {
      // Part of a request head arrived: it must be complete within the deadline (slowloris).
      headDeadline =
          c.schedule(
              config.timeouts().requestHead(),
              () -> fail(new HttpException(408, "request head too slow")));
    }
  }

  // ---- decoder events ----

  @Override
  public long maxBodyBytes(RequestHead requestHead, long configured) {
    streamingRoute = null;
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
    rateBaseBytes = 0;
    rateBaseNanos = connection.nanoTime();
    boolean hasBody =
        requestHead.headers().contains("Content-Length")
            || requestHead.headers().contains("Transfer-Encoding");
    if (hasBody) {
      armBodyRateCheck();
    }
    if (streamingRoute != null) {
      // The handler starts now and reads the body as it comes; it is queued like any request.
      receiving = new StreamedBody(new BodyFlow(requestHead));
      enqueue(
          new Request(
              requestHead,
              EMPTY,
              receiving,
              connection.remoteAddress(),
              connection.localAddress()));
      if (!hasBody) {
        receiving.finish(); // end() follows at once.
      }
      return;
    }
    // RFC 9110 §10.1.1: tell a client that waits for it to send the body.
    if (hasBody && expectsContinue(requestHead) && current == null && queue.isEmpty()) {
      connection.write(CONTINUE);
    }
  }

  @Override
  public void body(ByteBuffer chunk) {
    bodyReceived += chunk.remaining();
    if (receiving != null) {
      if (receiving.offer(chunk)) {
        suspend(BODY_BACKPRESSURE);
      }
      return;
    }
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
      receiving.finish();
      receiving = null;
      return;
    }
    byte[] bytes = body == null ? EMPTY : body.toByteArray();
    body = null;
    enqueue(new Request(ended, bytes, connection.remoteAddress(), connection.localAddress()));
  }

  private void enqueue(Request request) {
    queue.add(new Work(request, null));
    if (queue.size() > MAX_QUEUED) {
      suspend(QUEUE_FULL);
    }
    if (current == null) {
      next();
    }
  }

  /** The reading side of a streamed body asks the loop for a 100 Continue or more data. */
  private final class BodyFlow implements StreamedBody.Flow {
    private final RequestHead requestHead;

    BodyFlow(RequestHead requestHead) {
      this.requestHead = requestHead;
    }

    @Override
    public void firstRead() {
      if (expectsContinue(requestHead)) {
        connection.execute(
            () -> {
              // Only if the client is still waiting: no body byte has come yet.
              if (!failed && head == requestHead && bodyReceived == 0) {
                connection.write(CONTINUE);
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

  private void next() {
    Work work = queue.poll();
    if (queue.size() <= MAX_QUEUED) {
      resume(QUEUE_FULL);
    }
    if (work == null) {
      if (decoder.isIdle() && !failed && !decoder.isPaused()) {
        armIdle();
      }
      return;
    }
    if (work.error() != null) {
      answerError(work.error());
      return;
    }
    Request request = work.request();
    boolean keepAlive = request.head().keepAlive() && !shuttingDown;
    var response = new Response(connection, request, keepAlive, this::completed);
    current = response;
    dispatch(request, response);
  }

  private void dispatch(Request request, Response response) {
    String method = request.method();
    if (!KNOWN_METHODS.contains(method) && !config.routes().allMethods().contains(method)) {
      response.sendError(501, "method not implemented: " + method);
      return;
    }
    if (method.equals("OPTIONS") && request.target().equals("*")) {
      response.header("Allow", String.join(", ", config.routes().allMethods()));
      response.header("Content-Length", "0");
      response.status(200).end();
      return;
    }
    switch (config.routes().find(method, request.path())) {
      case Routes.Found found -> run(found.route(), request, response);
      case Routes.WrongMethod wrong -> {
        String allow = String.join(", ", wrong.allowed());
        response.header("Allow", allow);
        if (method.equals("OPTIONS")) {
          response.status(204).end();
        } else {
          response.sendError(405, "method " + method + " not allowed; allowed: " + allow);
        }
      }
      case Routes.NotFound notFound -> run(config.fallback(), request, response);
    }
  }

  private void run(Routes.Route route, Request request, Response response) {
    if (route.blocking()) {
      Thread.ofVirtual()
          .name("wharf-http-handler")
          .start(() -> invoke(route.handler(), request, response));
    } else {
      invoke(route.handler(), request, response);
    }
  }

  private void invoke(Handler handler, Request request, Response response) {
    try {
      handler.handle(request, response);
    } catch (Throwable t) {
      if (bodyFailure(t) instanceof RequestBodyException failure) {
        // The client broke off or broke the protocol mid-body: answer its error, not a 500.
        if (!response.isCommitted()) {
          response.header("Connection", "close");
          response.sendError(failure.status(), failure.getMessage());
        } else {
          connection.close(CloseReason.error(t));
        }
        return;
      }
      LOG.log(
          Level.WARNING,
          () -> "handler failed on " + request + " from " + request.remoteAddress(),
          t);
      if (!response.isCommitted()) {
        response.header("Connection", "close");
        response.sendError(500, "internal server error");
      } else {
        connection.close(CloseReason.error(t));
      }
    }
  }

  /** Called on the loop when a response has ended. */
  private void completed(Response response) {
    if (response != current) {
      return;
    }
    current = null;
    Request request = response.request();
    logAccess(response, request);
    if (response.upgradedTo() != null) {
      // After this turn, when the decoder (maybe still on the stack) has held back what follows.
      Protocol next = response.upgradedTo();
      connection.execute(() -> switchTo(next));
      return;
    }
    if (decoder.isPaused()) {
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

  private void logAccess(Response response, Request request) {
    config
        .accessLog()
        .accept(
            new AccessLogEntry(
                connection.remoteAddress(),
                response.started(),
                failed ? "-" : request.toString(),
                response.status(),
                response.bodyBytes(),
                request.header("User-Agent").orElse("")));
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
  }

  private void resumeAfterDeclinedUpgrade() {
    if (upgraded || !connection.isOpen()) {
      return;
    }
    decoder.resume();
    resume(UPGRADE_PENDING);
    ByteBuffer pending = held;
    held = null;
    if (pending != null && !failed) {
      received(connection, pending.flip());
    }
  }

  // ---- errors and deadlines ----

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
      connection.schedule(
          config.timeouts().requestHead(),
          () -> connection.close(CloseReason.local("no answer to " + error.getMessage())));
      return;
    }
    queue.add(new Work(null, error));
    if (current == null) {
      next();
    }
  }

  private void answerError(HttpException error) {
    var request =
        new Request(
            head == null ? new RequestHead("GET", "/", "HTTP/1.1", Headers.EMPTY) : head,
            EMPTY,
            connection.remoteAddress(),
            connection.localAddress());
    var response = new Response(connection, request, false, this::completed);
    current = response;
    response.sendError(error.status(), error.getMessage());
  }

  private void armIdle() {
    cancel(idleDeadline);
    idleDeadline =
        connection.schedule(
            config.timeouts().keepAliveIdle(),
            () -> {
              if (decoder.isIdle() && current == null && queue.isEmpty()) {
                connection.close(
                    CloseReason.timeout(
                        "keep-alive idle for " + config.timeouts().keepAliveIdle()));
              }
            });
  }

  /** Checks once a second, after a grace period, that the body arrives at the minimum rate. */
  private void armBodyRateCheck() {
    long minRate = config.timeouts().minBodyBytesPerSecond();
    if (minRate == 0) {
      return;
    }
    bodyRateCheck = connection.schedule(config.timeouts().requestHead(), this::checkBodyRate);
  }

  private void checkBodyRate() {
    if (head == null) {
      return;
    }
    long now = connection.nanoTime();
    if (suspended != 0) {
      // We stopped reading (a slow handler, a full queue): the client is not to blame.
      rateBaseNanos = now;
      rateBaseBytes = bodyReceived;
      bodyRateCheck = connection.schedule(Duration.ofSeconds(1), this::checkBodyRate);
      return;
    }
    double rate = (bodyReceived - rateBaseBytes) / ((now - rateBaseNanos) / 1e9);
    if (rate < config.timeouts().minBodyBytesPerSecond()) {
      fail(
          new HttpException(408, "request body arriving too slowly (" + (long) rate + " bytes/s)"));
    } else {
      bodyRateCheck = connection.schedule(Duration.ofSeconds(1), this::checkBodyRate);
    }
  }

  @Override
  public void writabilityChanged(Connection c, boolean writable) {
    if (writable && current != null) {
      current.writableAgain();
    }
  }

  @Override
  public void shutdownRequested(Connection c) {
    shuttingDown = true;
    if (current == null && decoder.isIdle() && queue.isEmpty()) {
      c.closeAfterFlush();
    }
  }

  @Override
  public void closed(Connection c, CloseReason reason) {
    cancelDeadlines();
    if (receiving != null) {
      receiving.fail(
          new RequestBodyException(400, "connection closed before the request body ended"));
      receiving = null;
    }
    if (current != null) {
      current.writableAgain(); // Wake a handler blocked on a connection that is gone.
    }
  }

  private void cancelDeadlines() {
    cancel(headDeadline);
    cancel(idleDeadline);
    cancel(bodyRateCheck);
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

  private static boolean expectsContinue(RequestHead head) {
    return head.headers().hasToken("Expect", "100-continue") && head.version().equals("HTTP/1.1");
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

  private static Throwable bodyFailure(Throwable t) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof RequestBodyException) {
        return cause;
      }
    }
    return t;
  }

  private static void cancel(Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  private static final byte[] EMPTY = new byte[0];
  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
}
