package dev.wharf.websocket;

import dev.wharf.websocket.codec.WebSocketException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Receives one connection's events: open, each message, pings and pongs, and finally close.
 *
 * <p>Callbacks run one at a time, in order, on the connection's event loop ({@link
 * WebSocketConfig.Dispatch#EVENT_LOOP}, the default: they must not block) or on a virtual thread of
 * the connection's ({@link WebSocketConfig.Dispatch#VIRTUAL_THREAD}: they may). An exception thrown
 * from a callback closes the connection with 1011 (internal error).
 *
 * <p>Messages come whole ({@link #onText}, {@link #onBinary}), up to {@link
 * WebSocketConfig#maxMessageBytes()}, unless {@link #streamMessage} asks for a stream.
 */
public interface WebSocketListener {

  /** The handshake is done; the connection is open. */
  default void onOpen(WebSocket webSocket) {}

  /** A whole text message, its UTF-8 already checked. */
  default void onText(WebSocket webSocket, String text) {}

  /**
   * A whole binary message, between the buffer's position and limit.
   *
   * <p>On the event loop ({@link WebSocketConfig.Dispatch#EVENT_LOOP}) the buffer is lent for the
   * call only: it is the loop's read buffer, or an array the loop lends to the next message it
   * gathers, on this connection or another. Copy what you keep past the call; sending the buffer
   * back from the callback is fine, since a send made on the loop has copied it when it returns. On
   * a virtual thread ({@link WebSocketConfig.Dispatch#VIRTUAL_THREAD}) the buffer is a copy of the
   * listener's own, to keep.
   */
  default void onBinary(WebSocket webSocket, ByteBuffer data) {}

  /**
   * Whether to receive the message that begins now as a stream ({@link #onStream}) rather than
   * whole. Asked on the event loop when its first frame arrives, whatever the dispatch: answer
   * quickly, without blocking. The default receives every message whole.
   */
  default boolean streamMessage(WebSocket webSocket, MessageType type) {
    return false;
  }

  /**
   * A message received as a stream of its (decompressed) bytes as they arrive: UTF-8 for text,
   * checked as it comes (a read fails if it is invalid, and the connection closes with 1007). Runs
   * on a virtual thread and may block; reading from the peer pauses while the stream holds {@link
   * WebSocketConfig#maxInboundBufferedBytes()}. Later events wait until this returns; unread bytes
   * are discarded when it does.
   */
  default void onStream(WebSocket webSocket, MessageType type, InputStream data) throws Exception {}

  /** A Ping arrived; the Pong has been sent already. The payload is valid during the call. */
  default void onPing(WebSocket webSocket, ByteBuffer payload) {}

  /** A Pong arrived (an answer to our ping, or a heartbeat). */
  default void onPong(WebSocket webSocket, ByteBuffer payload) {}

  /**
   * The connection closed: {@code code} is the peer's close code (1005 if its Close frame had
   * none), ours if we failed the connection for a protocol error, or 1006 if it ended without a
   * Close frame. Called exactly once, last.
   */
  default void onClose(WebSocket webSocket, int code, String reason) {}

  /**
   * Something went wrong before the close: the peer broke the protocol (a {@link
   * WebSocketException} with the code we closed with), or the connection failed.
   */
  default void onError(WebSocket webSocket, Throwable error) {}
}
