package dev.wharf.core;

import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One stream connection (TCP or Unix-domain), as its {@link Protocol} sees it.
 *
 * <p>A connection lives on one event loop for its whole life. Methods may be called from any
 * thread: called off the loop, they are handed to it and run there in order. Writes are queued and
 * written together (a gathering write) at the end of the current event, so a protocol that writes
 * several pieces while handling one read sends them in one system call.
 */
public interface Connection extends Executor {

  /** A number unique among this process's connections. */
  long id();

  Transport transport();

  SocketAddress localAddress();

  SocketAddress remoteAddress();

  /**
   * Queues a copy of the buffer's remaining bytes and consumes them from {@code data}; the caller
   * may reuse the buffer at once.
   */
  void write(ByteBuffer data);

  /** Queues a copy of the bytes. */
  default void write(byte[] data) {
    write(data, 0, data.length);
  }

  /** Queues a copy of {@code length} bytes of {@code data} from {@code offset}. */
  default void write(byte[] data, int offset, int length) {
    write(ByteBuffer.wrap(data, offset, length));
  }

  /**
   * Queues {@code count} bytes of a file from {@code position}, sent with {@code
   * FileChannel.transferTo} (sendfile) where the transport allows. The channel is closed when sent
   * or when the connection closes.
   */
  void writeFile(FileChannel file, long position, long count);

  /** Writes what is queued now rather than at the end of the current event. */
  void flush();

  /** Bytes queued and not yet taken by the kernel; exact on the loop, approximate elsewhere. */
  long pendingBytes();

  /**
   * Bytes the socket has taken so far (of the encrypted stream, under TLS). With {@link
   * #pendingBytes()}, it tells how much of what was queued went out before a close: an access log
   * records that rather than what was queued. Exact on the loop.
   */
  default long bytesWritten() {
    return info().bytesOut();
  }

  /** False from when the queue passes the high watermark until it drains below the low one. */
  boolean isWritable();

  /** Stops reading from the socket (backpressure on the peer) until {@link #resumeReads()}. */
  void suspendReads();

  void resumeReads();

  /** Half-close: sends FIN once the queue is written; reading goes on. */
  void shutdownOutput();

  /**
   * Closes now, dropping what is queued; what the socket already took still reaches the peer, as
   * the close lingers (see {@link Timeouts}).
   */
  void close();

  /**
   * Closes now, telling the protocol why. A {@link CloseReason.Kind#LOCAL} reason closes gracefully
   * like {@link #close()}; any other closes abortively, without lingering.
   */
  void close(CloseReason reason);

  /** Closes once everything queued has been written, then lingers (see {@link Timeouts}). */
  void closeAfterFlush();

  /** Whether it has not closed yet: every implementation answers from {@link #state()}. */
  default boolean isOpen() {
    return state() != ConnectionState.CLOSED;
  }

  ConnectionState state();

  /**
   * The value a socket option has on the socket now, as the kernel reports it (SO_RCVBUF after the
   * kernel's adjustment, say); empty when this kind of socket lacks the option or it is closed. Any
   * thread.
   */
  <T> Optional<T> option(SocketOption<T> option);

  /**
   * The current counters and addresses: exact on the loop; from another thread the counters are
   * read unsynchronized and may lag slightly (the registry reads them on the loop).
   */
  ConnectionInfo info();

  Protocol protocol();

  /**
   * Hands the connection to another protocol, which receives {@link Protocol#opened} and then
   * {@code leftover} (bytes the old protocol read but did not consume), if any.
   */
  void switchProtocol(Protocol next, ByteBuffer leftover);

  /** True on the connection's event loop thread. */
  boolean inEventLoop();

  /** Runs a task on the connection's event loop. */
  @Override
  void execute(Runnable task);

  /** Runs a task on the connection's loop after a delay. */
  Cancellable schedule(Duration delay, Runnable task);

  /**
   * Asks for one call of {@link Protocol#wakeUp} on the loop once the loop's clock ({@link
   * #nanoTime()}) reaches {@code deadlineNanos}; a later call replaces the deadline and {@link
   * Long#MAX_VALUE} cancels it. Unlike {@link #schedule}, it rides on the connection's own timeout
   * timer, so a protocol's periodic check (a WebSocket ping) costs no timer and no allocation per
   * connection. Loop thread only. The call may come up to one timer tick late, never early.
   */
  void wakeUpAt(long deadlineNanos);

  /**
   * Replaces this connection's idle timeout ({@link Timeouts#idle()}); {@link Duration#ZERO} turns
   * it off. For a protocol that watches liveness itself after an upgrade, as WebSocket does with
   * pings and its own idle timeout. Loop thread only.
   */
  void idleTimeout(Duration idle);

  /**
   * The loop's clock, in {@link System#nanoTime()} units (a fake clock in tests). On the loop it is
   * the time the loop read at the start of the current phase of its turn, so asking costs nothing
   * and it may lag the real time by the loop's work since (well under the timer wheel's 10 ms);
   * elsewhere it reads the system clock.
   */
  long nanoTime();

  /**
   * What a layer between the transport and this protocol tells of the connection, asked for by
   * type; empty when no layer offers one. A TLS layer offers what its handshake agreed on, once it
   * is done (the TLS package reads it for you). The transport itself knows no layer, so it offers
   * nothing; a connection that forwards to another ({@link ForwardingConnection}) asks that one.
   */
  default <T> Optional<T> lookup(Class<T> type) {
    return Optional.empty();
  }
}
