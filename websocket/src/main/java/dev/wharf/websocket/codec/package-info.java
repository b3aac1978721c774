/**
 * The WebSocket wire format, with no sockets: frame reader and writer, masking, the opening
 * handshake's keys and headers, the permessage-deflate extension (RFC 7692), UTF-8 validation, and
 * the protocol's {@link dev.wharf.websocket.codec.CloseCodes} and {@link
 * dev.wharf.websocket.codec.WebSocketException}. It imports nothing from {@link
 * dev.wharf.websocket}.
 *
 * <p>Threads: a reader, inflater or deflater belongs to one connection and is used on its loop, one
 * call at a time; their per-thread scratch buffers are never kept past a call. The static helpers
 * may be called from any thread.
 */
package dev.wharf.websocket.codec;
