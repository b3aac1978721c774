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

  private final HttpServer.Config config;
  private final Http1RequestDecoder decoder;
  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private Connection connection;
  private RequestHead head;
  private ByteArrayOutputStream body;
  private Response current;
  private Cancellable headDeadline;
  private Cancellable idleDeadline;
  private Cancellable bodyRateCheck;
  private long bodyStartNanos;
  private boolean failed;
  private boolean readsSuspended;
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
  public void head(RequestHead requestHead) {
    cancel(headDeadline);
    headDeadline = null;
    head = requestHead;
    body = null;
    bodyStartNanos = connection.nanoTime();
    if (requestHead.headers().contains("Content-Length")
        || requestHead.headers().contains("Transfer-Encoding")) {
      armBodyRateCheck();
      // RFC 9110 §10.1.1: tell a client that waits for it to send the body.
      if (requestHead.headers().hasToken("Expect", "100-continue")
          && requestHead.version().equals("HTTP/1.1")
          && current == null
          && queue.isEmpty()) {
        connection.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  @Override
  public void body(ByteBuffer chunk) {
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
    byte[] bytes = body == null ? EMPTY : body.toByteArray();
    var request = new Request(head, bytes, connection.remoteAddress(), connection.localAddress());
    head = null;
    body = null;
    queue.add(new Work(request, null));
    if (queue.size() > MAX_QUEUED && !readsSuspended) {
      readsSuspended = true;
      connection.suspendReads();
    }
    if (current == null) {
      next();
    }
  }

  // ---- answering, one at a time ----

  private void next() {
    Work work = queue.poll();
    if (work == null) {
      if (readsSuspended) {
        readsSuspended = false;
        connection.resumeReads();
      }
      if (decoder.isIdle() && !failed) {
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
    if (!response.keepAlive() || shuttingDown) {
      failed = true;
      connection.closeAfterFlush();
      return;
    }
    next();
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
    connection.suspendReads();
    LOG.log(
        Level.DEBUG,
        () -> "bad request from " + connection.remoteAddress() + ": " + error.getMessage());
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
    long elapsedNanos = connection.nanoTime() - bodyStartNanos;
    long received = body == null ? 0 : body.size();
    double rate = received / (elapsedNanos / 1e9);
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
    cancel(headDeadline);
    cancel(idleDeadline);
    cancel(bodyRateCheck);
    if (current != null) {
      current.writableAgain(); // Wake a handler blocked on a connection that is gone.
    }
  }

  private static void cancel(Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  private static final byte[] EMPTY = new byte[0];
}
