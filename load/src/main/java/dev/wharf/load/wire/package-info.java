/**
 * Wire pieces a load generator needs and nothing more, written to allocate nothing per message: the
 * HTTP/1.1 responses a client reads ({@link dev.wharf.load.wire.HttpResponseReader}), the WebSocket
 * client's frames and handshake ({@link dev.wharf.load.wire.WsClientCodec}) and the server frames
 * it reads ({@link dev.wharf.load.wire.ServerFrameReader}), one message queued again and again
 * ({@link dev.wharf.load.wire.RepeatedMessage}) and the checked byte pattern of a TCP echo ({@link
 * dev.wharf.load.wire.PatternStream}). Shared by {@code wharf bench} and the benchmarks' generators
 * under {@code bench/}.
 *
 * <p>Threads: none; each object belongs to one connection's thread.
 */
package dev.wharf.load.wire;
