package dev.wharf.core;

import java.nio.ByteBuffer;

/**
 * The conversation on one connection: receives its events and answers through the {@link
 * Connection}. An HTTP connection that upgrades to WebSocket replaces its protocol with {@link
 * Connection#switchProtocol}.
 *
 * <p>Every method is called on the connection's event loop, one at a time, so a protocol needs no
 * locks for its own state. A method must not block: blocking work goes to a virtual thread and
 * comes back with {@link Connection#execute}. An exception thrown here closes this connection only
 * (and is logged with the peer's address); the loop carries on.
 */
public interface Protocol {

  /** The connection is established (for a client: connected; for a server: accepted). */
  default void opened(Connection connection) {}

  /**
   * Bytes arrived. The buffer is lent for the duration of the call: read from it what you need (or
   * copy what you must keep); it is reused for the next read.
   */
  void received(Connection connection, ByteBuffer data);

  /**
   * The peer shut its output down (we read EOF, or under TLS its close_notify): it sends nothing
   * more, but it may still read, so we may still write. The default closes once what is queued has
   * been written: right for a protocol that has queued every answer by the time {@link #received}
   * returns ({@link EchoProtocol}). A protocol that answers later (a handler on another thread, a
   * task) must override this and close after its last answer, or a client that half-closes after
   * sending ({@code nc -N}, {@code socat}) gets nothing; HTTP does (RFC 9112 §9.6). The decision of
   * each protocol is in docs/architecture.md (<i>The peer's FIN</i>).
   */
  default void inputClosed(Connection connection) {
    connection.closeAfterFlush();
  }

  /** The write queue crossed the high watermark (false) or drained below the low one (true). */
  default void writabilityChanged(Connection connection, boolean writable) {}

  /**
   * The event loop group is shutting down gracefully. The default finishes writing what is queued
   * and closes; a protocol in the middle of an exchange may finish it first.
   */
  default void shutdownRequested(Connection connection) {
    connection.closeAfterFlush();
  }

  /** The connection closed; called exactly once, last. */
  default void closed(Connection connection, CloseReason reason) {}

  /** The deadline asked for with {@link Connection#wakeUpAt} has come. */
  default void wakeUp(Connection connection) {}

  /** A short name for tables and logs ({@code echo}, {@code http/1.1}). */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? getClass().getName() : simple;
  }
}
