/**
 * WebSocket (RFC 6455) over the engine: {@link dev.wharf.websocket.WebSocketServer} upgrades HTTP
 * requests, {@link dev.wharf.websocket.WebSocketClient} opens connections, and each open connection
 * is a {@link dev.wharf.websocket.WebSocket} that sends to and a {@link
 * dev.wharf.websocket.WebSocketListener} that hears from the peer, with per-message deflate and
 * slow-consumer limits.
 *
 * <p>Threads: {@code WebSocket}, {@code WebSocketClient} and {@code WebSocketServer} may be used
 * from any thread. The session runs on its connection's event loop; listener callbacks run there
 * or, with {@code Dispatch.VIRTUAL_THREAD} or a message stream, in order on a virtual thread per
 * connection. Send futures and the client handshake's future complete on the loop: their callbacks
 * must not block.
 */
package dev.wharf.websocket;
