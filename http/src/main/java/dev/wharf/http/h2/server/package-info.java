/**
 * The server side of an HTTP/2 connection (RFC 9113): {@link
 * dev.wharf.http.h2.server.Http2ServerConnection} reads frames, keeps the streams, their flow
 * control and HPACK's state, and hands each request to the HTTP server as an {@link
 * dev.wharf.http.h2.server.Http2ServerStream}, through which the answer goes back. It knows nothing
 * of routes and handlers: {@code dev.wharf.http.server} plugs them in through {@link
 * dev.wharf.http.h2.server.Http2Requests}, so one handler API serves both versions. Not exported.
 */
package dev.wharf.http.h2.server;
