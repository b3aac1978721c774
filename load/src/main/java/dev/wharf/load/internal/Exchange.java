package dev.wharf.load.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What one request is on the wire for one {@link Connection}: the bytes it queues ({@link #issue},
 * sent through {@link #outbound} and {@link #sent}), and how the answers are read ({@link
 * #received}), each whole one reported to the connection with {@link Connection#answered}. Made
 * once per connection and {@link #reset} when it reconnects.
 *
 * <p>Not thread-safe: the connection's worker thread owns it.
 */
abstract class Exchange {
  protected final Connection connection;

  protected Exchange(Connection connection) {
    this.connection = connection;
  }

  /**
   * The transport (TCP, and TLS when asked) is up: queues what must come before requests (a
   * WebSocket upgrade) or calls {@link Connection#open} at once.
   */
  abstract void start() throws IOException;

  /**
   * Queues one more request, which the connection keeps in {@code slot} (an exchange that answers
   * out of order names it in {@link Connection#answered(int, int)}).
   */
  abstract void issue(int slot);

  /**
   * Whether answers come in the order of the requests ({@link Connection#answered(int)}); false
   * when each names its slot ({@link Connection#answered(int, int)}).
   */
  boolean answersInOrder() {
    return true;
  }

  /** How many requests the server lets this connection have in flight now (HTTP/2's limit). */
  int room() {
    return Integer.MAX_VALUE;
  }

  /** The next bytes to send, at most {@code max}, between position and limit; none when done. */
  abstract ByteBuffer outbound(int max);

  /** {@code n} bytes of {@link #outbound} were sent. */
  abstract void sent(int n);

  /** Bytes the server sent, between position and limit; consumes them all. */
  abstract void received(ByteBuffer data) throws IOException;

  /** The server closed the connection cleanly (end of stream). */
  void endOfStream() throws IOException {}

  /** Forgets the last connection's state, for a new one. */
  abstract void reset();
}
