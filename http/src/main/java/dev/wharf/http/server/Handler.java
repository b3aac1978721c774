package dev.wharf.http.server;

/**
 * Answers requests. Called on the connection's event loop unless the route was declared blocking,
 * in which case it runs on a virtual thread and may block freely. It must finish the response
 * ({@link ServerResponse#send}, {@link ServerResponse#end}...), now or later; an exception before
 * the response started is answered with 500, after it closes the connection.
 */
@FunctionalInterface
public interface Handler {
  void handle(ServerRequest request, ServerResponse response) throws Exception;
}
