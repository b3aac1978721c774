/**
 * The HTTP/1.1 server: {@link dev.wharf.http.server.HttpServer} binds and routes ({@code Routes})
 * requests to {@link dev.wharf.http.server.Handler}s, which answer a {@link
 * dev.wharf.http.server.ServerRequest} with a {@link dev.wharf.http.server.ServerResponse}. Request
 * bodies arrive whole or streamed (through a {@link dev.wharf.core.Pipe}); the access log gets one
 * {@link dev.wharf.http.server.AccessLogEntry} per answered request. {@code Http1ServerProtocol} is
 * the per-connection protocol that ties them to the engine.
 *
 * <p>Threads: {@code HttpServer} is thread-safe. A handler runs on its connection's event loop (and
 * must not block) unless its route was declared blocking, in which case it runs on a virtual thread
 * of its own and may block. A {@code ServerResponse} may be used from the loop or from that virtual
 * thread, one thread at a time. {@code Http1ServerProtocol} and the access log run on the loop.
 */
package dev.wharf.http.server;
