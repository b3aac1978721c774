package dev.wharf.websocket;

import dev.wharf.core.Cancellable;
import dev.wharf.websocket.codec.CloseCodes;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One open WebSocket connection, server or client side: send messages, ping, close.
 *
 * <p>Thread-safe: every method may be called from any thread; messages sent from one thread go out
 * in the order sent. A send's future completes once the frame is queued for the socket and the
 * queue is below its high watermark, so a sender that waits on each future (a virtual thread
 * calling {@code join()}) is held to the peer's pace. It fails with {@link SlowConsumerException}
 * when {@link WebSocketConfig#maxOutboundBytes()} would be exceeded, and with an {@link
 * java.io.IOException} once the connection is closing.
 *
 * <p>A binary message's buffer is read when the send runs on the connection's loop; from another
 * thread it must not be changed until the future completes.
 */
public interface WebSocket {

  CompletableFuture<Void> sendText(CharSequence text);

  CompletableFuture<Void> sendBinary(ByteBuffer data);

  /**
   * Sends a message encoded once for many connections (a broadcast): as {@link #sendText} or {@link
   * #sendBinary}, without encoding or copying it again for this connection.
   */
  CompletableFuture<Void> send(PreparedMessage message);

  /**
   * Sends a prepared message as {@link #send(PreparedMessage)} does, but with no future: a
   * broadcast's thousands of deliveries then allocate none each. Returns false, sending nothing,
   * once the connection is closing, or when {@link WebSocketConfig#maxOutboundBytes()} would be
   * exceeded (the slow-consumer policy applies as for {@code send}). The answer is final on the
   * connection's loop (in a listener's callback or an {@link #execute} task); from another thread
   * true means only that the message was queued for the loop, where a close that came first drops
   * it.
   */
  boolean trySend(PreparedMessage message);

  default CompletableFuture<Void> sendBinary(byte[] data) {
    return sendBinary(ByteBuffer.wrap(data));
  }

  /** Sends a Ping with up to 125 bytes of application data. */
  CompletableFuture<Void> sendPing(ByteBuffer data);

  /** Sends an unsolicited Pong (a heartbeat that needs no answer, RFC 6455 §5.5.3). */
  CompletableFuture<Void> sendPong(ByteBuffer data);

  /**
   * Starts a message sent in fragments, for messages too large to hold: each {@code write} of the
   * stream's buffer size sends a frame, {@code flush()} sends what is buffered, {@code close()}
   * ends the message. Writes block while the peer is behind, so use it from a thread that may block
   * (a virtual thread). Other messages sent meanwhile wait until the stream is closed. Streamed
   * messages are never compressed.
   */
  OutputStream sendStream(MessageType type);

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2): sends a Close frame with the code and reason
   * (at most 123 bytes of UTF-8), then waits up to {@link WebSocketConfig#closeTimeout()} for the
   * peer's. The future completes when the connection has closed.
   */
  CompletableFuture<Void> close(int code, String reason);

  /** Closes normally (1000). */
  default CompletableFuture<Void> close() {
    return close(CloseCodes.NORMAL, "");
  }

  /** Drops the connection without a closing handshake. */
  void abort();

  /** True until the closing handshake starts or the connection drops. */
  boolean isOpen();

  /** The subprotocol the server chose, if any. */
  Optional<String> subprotocol();

  /** The extensions agreed on, as in Sec-WebSocket-Extensions (empty for none). */
  String extensions();

  SocketAddress remoteAddress();

  SocketAddress localAddress();

  /** Bytes queued for the peer and not yet taken by the kernel; approximate off the loop. */
  long bufferedBytes();

  /**
   * Runs a task on this connection's event loop, later (never inside this call, even on the loop),
   * after the tasks queued before it. With {@link WebSocketConfig.Dispatch#EVENT_LOOP} the task
   * never runs at the same time as a listener callback, so a listener can keep state without locks
   * and hand work from other threads to itself; a send made by the task is queued in order with the
   * loop's other sends.
   */
  void execute(Runnable task);

  /**
   * Runs a task on this connection's event loop after a delay, by the loop's clock (a deadline of
   * the application's: a login that must come in time, a credential that expires). The task is
   * dropped if the connection has closed by then; {@link Cancellable#cancel} drops it sooner.
   */
  Cancellable schedule(Duration delay, Runnable task);
}
