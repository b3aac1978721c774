package dev.wharf.http.server;

import dev.wharf.core.LazyLogger;
import dev.wharf.core.Pipe;
import java.lang.System.Logger.Level;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Hands a request to its handler, the same for HTTP/1.1 and HTTP/2: the routes, the server's own
 * answers, and what a failing handler gets. One per bound server, shared by its connections on
 * every loop: it keeps no state but its route memo.
 */
final class Dispatcher {
  private static final System.Logger LOG = LazyLogger.of(Dispatcher.class);

  /**
   * The methods of RFC 9110 §9 and RFC 5789. A switch, not {@code Set.of(...).contains}: the JDK's
   * shared immutable-set code calls {@code hashCode} and {@code equals} through every type it has
   * held, so the JIT could not inline them, and that lookup was 15% of a plaintext request's CPU.
   */
  static boolean isKnownMethod(String method) {
    return switch (method) {
      case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH" -> true;
      default -> false;
    };
  }

  /** How long a client refused for want of memory is asked to wait (RFC 9110 §10.2.3). */
  static final String RETRY_AFTER_SECONDS = "5";

  private final HttpServer.Config config;

  /**
   * The last lookup that found a route: a keep-alive client asks for the same target again and
   * again (the decoder then hands over the same Strings), so the lookup (two hash maps) is skipped.
   * The routes never change, so the answer stays right. Shared by the connections of every loop: an
   * immutable {@link RouteMemo} (safe to read from any thread through its final fields), replaced
   * only when the target really changes, so loops asking for one target do not keep writing the
   * field.
   */
  private RouteMemo memo;

  /**
   * A route found, with the method, the target it was asked for and that target's path: the target
   * is compared first (the same String again, from the decoder), so a repeated request costs no
   * search for its query; another target with the same path (a new query) still hits.
   */
  private record RouteMemo(String method, String target, String path, Routes.Found found) {}

  Dispatcher(HttpServer.Config config) {
    this.config = config;
  }

  HttpServer.Config config() {
    return config;
  }

  /**
   * Answers one request: the server's own answers (501, OPTIONS *, 405), else the route's handler,
   * on the loop or on a virtual thread. A handler that fails before answering gets 500 (or the
   * status of the body's failure); one that fails after its head went out ends in {@code
   * failedAfterCommit}, which cuts the response off.
   */
  void dispatch(
      ServerRequest request, ServerResponse response, Consumer<Throwable> failedAfterCommit) {
    String method = request.method();
    if (!isKnownMethod(method) && !config.routes().allMethods().contains(method)) {
      response.sendError(501, "method not implemented: " + method);
      return;
    }
    // OPTIONS * is answered here unless a route for "*" takes it (one that asks for credentials).
    if (method.equals("OPTIONS")
        && request.target().equals("*")
        && !(config.routes().find(method, "*") instanceof Routes.Found)) {
      response.header("Allow", String.join(", ", config.routes().allMethods()));
      response.header("Content-Length", "0");
      response.status(200).end();
      return;
    }
    // instanceof, not a switch over the sealed Match: a pattern switch is linked at its first run
    // by a class SwitchBootstraps generates then, which the launcher's AOT cache does not keep,
    // and that was 2.7 ms of a serve's first response, on the loop.
    Routes.Match match = find(method, request);
    if (match instanceof Routes.Found found) {
      run(found.route(), request, response, failedAfterCommit);
    } else if (match instanceof Routes.WrongMethod wrong) {
      String allow = String.join(", ", wrong.allowed());
      response.header("Allow", allow);
      if (method.equals("OPTIONS")) {
        response.status(204).end();
      } else {
        response.sendError(405, "method " + method + " not allowed; allowed: " + allow);
      }
    } else {
      run(config.fallback(), request, response, failedAfterCommit); // Routes.NotFound
    }
  }

  private Routes.Match find(String method, ServerRequest request) {
    RouteMemo last = memo;
    String target = request.target();
    if (last != null && last.method().equals(method) && last.target().equals(target)) {
      return last.found();
    }
    String path = request.path();
    if (last != null && last.method().equals(method) && last.path().equals(path)) {
      return last.found(); // Another query: the memo stays, as it still names this path's route.
    }
    Routes.Match match = config.routes().find(method, path);
    if (match instanceof Routes.Found found) {
      memo = new RouteMemo(method, target, path, found);
    }
    return match;
  }

  private void run(
      Routes.Route route,
      ServerRequest request,
      ServerResponse response,
      Consumer<Throwable> failedAfterCommit) {
    if (route.blocking()) {
      if (route.handler() instanceof LoopFirstHandler first) {
        try {
          if (first.handleWithoutBlocking(request, response)) {
            return; // Answered on the loop: no virtual thread needed.
          }
        } catch (Throwable t) {
          failed(t, request, response, failedAfterCommit);
          return;
        }
      }
      Thread.ofVirtual()
          .name("wharf-http-handler")
          .start(() -> invoke(route.handler(), request, response, failedAfterCommit));
    } else {
      invoke(route.handler(), request, response, failedAfterCommit);
    }
  }

  private void invoke(
      Handler handler,
      ServerRequest request,
      ServerResponse response,
      Consumer<Throwable> failedAfterCommit) {
    try {
      handler.handle(request, response);
    } catch (Throwable t) {
      failed(t, request, response, failedAfterCommit);
    }
  }

  /** What a handler that threw {@code t} leaves to answer: the client's error, a 500, or a cut. */
  private static void failed(
      Throwable t,
      ServerRequest request,
      ServerResponse response,
      Consumer<Throwable> failedAfterCommit) {
    if (bodyFailure(t, request) instanceof RequestBodyException failure) {
      // The client broke off, was too slow or broke the protocol mid-body: answer its error,
      // not a 500, even when the handler wrapped or replaced the exception its read threw.
      if (!response.isCommitted()) {
        response.header("Connection", "close");
        if (failure.status() == 503) {
          response.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        response.sendError(failure.status(), failure.getMessage());
      } else {
        failedAfterCommit.accept(t);
      }
      return;
    }
    if (t instanceof RejectedExecutionException) {
      // The connection's loop has stopped (the server shut down while a blocking handler still
      // ran): nothing is left to answer on, and the handler did nothing wrong.
      LOG.log(Level.DEBUG, () -> "the loop stopped before " + request + " was answered");
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
      failedAfterCommit.accept(t);
    }
  }

  private static Throwable bodyFailure(Throwable t, ServerRequest request) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof RequestBodyException) {
        return cause;
      }
    }
    // Why the loop failed the body, if because of the client (too slow, broke off, broke the
    // framing): whatever the handler then threw, that is the answer.
    Pipe stream = request.stream();
    return stream == null
        ? t
        : stream
            .failure()
            .filter(RequestBodyException.class::isInstance)
            .<Throwable>map(e -> e)
            .orElse(t);
  }
}
