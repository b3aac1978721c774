/**
 * The HTTP/2 frame codec (RFC 9113 §3.4, §4, §6): {@link dev.wharf.http.h2.frame.Http2FrameDecoder}
 * turns bytes in any split into calls on a {@link dev.wharf.http.h2.frame.Http2FrameListener}, one
 * per frame, enforcing the framing rules; {@link dev.wharf.http.h2.frame.Http2FrameEncoder} writes
 * frames under the same rules; {@link dev.wharf.http.h2.frame.ConnectionPreface} reads and
 * recognises the client's preface. Errors are {@link dev.wharf.http.h2.frame.Http2Exception}s with
 * their RFC 9113 §7 {@link dev.wharf.http.h2.frame.ErrorCode} and their scope, connection or
 * stream.
 *
 * <p>A codec, shared by server and client: no I/O, no threads, no clock, no HPACK (field blocks
 * pass through encoded; {@code dev.wharf.http.h2.hpack} decodes them). A decoder or an encoder
 * belongs to one connection and is used only on that connection's event loop.
 */
package dev.wharf.http.h2.frame;
