/**
 * HTTP/1.1 wire format, with no sockets: incremental request and response decoders that accept
 * bytes split anywhere, the response head encoder, body framing (Content-Length, chunked),
 * multipart bodies and HTTP dates. Used by the server, the client and the WebSocket handshake. It
 * imports only the model ({@link dev.wharf.http}), never the server, client or files.
 *
 * <p>Threads: a decoder or reader belongs to one connection and is fed on that connection's loop,
 * one call at a time. The static helpers ({@code HttpDate}, {@code Tokens}, {@code SharedStrings})
 * may be called from any thread.
 */
package dev.wharf.http.codec;
