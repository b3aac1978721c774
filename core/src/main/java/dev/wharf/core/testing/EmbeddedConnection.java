package dev.wharf.core.testing;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.ConnectionState;
import dev.wharf.core.Protocol;
import dev.wharf.core.Transport;
import dev.wharf.core.internal.TimerWheel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Runs a {@link Protocol} with no socket, no selector and no threads: the test feeds bytes in,
 * reads what the protocol wrote, and moves a {@link FakeClock} to fire its timers.
 *
 * <pre>{@code
 * var clock = new FakeClock();
 * var conn = EmbeddedConnection.of(clock, new EchoProtocol());
 * conn.writeInbound("hello");
 * assertThat(conn.readOutboundAscii()).isEqualTo("hello");
 * }</pre>
 *
 * <p>A protocol call that throws closes the connection, as on a real one; {@link #checkException()}
 * then rethrows what it threw (as Netty's {@code EmbeddedChannel.checkException}), so a test can
 * fail on a handler's exception instead of only seeing the close.
 *
 * <p>Single-threaded: everything runs on the test's thread, which counts as the event loop.
 */
public final class EmbeddedConnection implements Connection {
  private final FakeClock clock;
  private final TimerWheel timers;
  private final TimerWheel.Timer wakeUpTimer = new TimerWheel.Timer(this::wakeUp);
  private Duration idleTimeout;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final ByteArrayOutputStream outbound = new ByteArrayOutputStream();
  private final SocketAddress local = new InetSocketAddress("127.0.0.1", 8000);
  private final SocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
  private final Instant openedAt = Instant.now();
  private Protocol protocol;
  private ConnectionState state = ConnectionState.OPEN;
  private CloseReason closeReason;
  private boolean writable = true;
  private boolean readsSuspended;
  private boolean outputShut;
  private boolean inputShut;
  private long bytesIn;
  private long bytesOut;
  private boolean discardOutbound;
  private RuntimeException thrown; // The first a protocol call threw since checkException.

  private EmbeddedConnection(FakeClock clock, Protocol protocol) {
    this.clock = clock;
    this.timers = new TimerWheel(clock.nanoTime(), Duration.ofMillis(1).toNanos(), 1024);
    this.protocol = protocol;
  }

  /** A connection already open: the protocol's {@code opened} has run. */
  public static EmbeddedConnection of(FakeClock clock, Protocol protocol) {
    var connection = new EmbeddedConnection(clock, protocol);
    connection.call(() -> protocol.opened(connection));
    return connection;
  }

  // ---- driving it ----

  /** Delivers bytes as one read. */
  public void writeInbound(ByteBuffer data) {
    if (state == ConnectionState.CLOSED || inputShut) {
      throw new IllegalStateException("cannot deliver input: connection is " + state);
    }
    bytesIn += data.remaining();
    call(() -> protocol.received(this, data));
  }

  public void writeInbound(byte[] data) {
    writeInbound(ByteBuffer.wrap(data));
  }

  /** Delivers the string's ISO-8859-1 bytes, as protocol text usually is. */
  public void writeInbound(String ascii) {
    writeInbound(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The peer shuts its output down (EOF). */
  public void closeInbound() {
    inputShut = true;
    if (state == ConnectionState.OPEN) {
      state = ConnectionState.INPUT_SHUT;
    }
    call(() -> protocol.inputClosed(this));
  }

  /** Everything written since the last call, and forgets it. */
  public byte[] readOutbound() {
    byte[] bytes = outbound.toByteArray();
    outbound.reset();
    return bytes;
  }

  public String readOutboundAscii() {
    return new String(readOutbound(), StandardCharsets.ISO_8859_1);
  }

  /** Simulates the peer reading slowly (false) or catching up (true). */
  public void setWritable(boolean value) {
    if (writable != value) {
      writable = value;
      call(() -> protocol.writabilityChanged(this, value));
    }
  }

  /** Runs queued tasks and the timers the fake clock has reached. */
  public void runPendingTasks() {
    for (int i = 0; i < 100_000 && !tasks.isEmpty(); i++) {
      Runnable task = tasks.poll();
      call(task);
    }
    timers.expire(clock.nanoTime());
  }

  private void wakeUp() {
    call(() -> protocol.wakeUp(this));
  }

  /** Asks the protocol to wind down, as a graceful shutdown does. */
  public void requestShutdown() {
    call(() -> protocol.shutdownRequested(this));
  }

  public boolean isClosed() {
    return state == ConnectionState.CLOSED;
  }

  public boolean readsSuspended() {
    return readsSuspended;
  }

  public boolean isOutputShut() {
    return outputShut;
  }

  /** Why it closed, once it has. */
  public Optional<CloseReason> closeReason() {
    return Optional.ofNullable(closeReason);
  }

  /**
   * Rethrows what a protocol call threw since the last check, if any, and forgets it; later ones
   * are attached to the first as suppressed.
   */
  public void checkException() {
    RuntimeException e = thrown;
    thrown = null;
    if (e != null) {
      throw e;
    }
  }

  /**
   * From now on, counts and drops what the protocol writes instead of keeping it for {@link
   * #readOutbound()}: for a benchmark, which needs no copy of the output.
   */
  public void discardOutbound() {
    discardOutbound = true;
    outbound.reset();
  }

  /** The bytes the protocol has written in all (kept or dropped). */
  public long outboundBytes() {
    return bytesOut;
  }

  /** Runs a protocol call as the real connection does: a throw closes the connection. */
  private void call(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      if (thrown == null) {
        thrown = e;
      } else if (thrown != e) {
        thrown.addSuppressed(e);
      }
      close(CloseReason.error(e));
    }
  }

  // ---- Connection ----

  @Override
  public long id() {
    return 0;
  }

  @Override
  public Transport transport() {
    return Transport.TCP;
  }

  @Override
  public SocketAddress localAddress() {
    return local;
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public void write(ByteBuffer data) {
    if (state == ConnectionState.CLOSED || outputShut) {
      data.position(data.limit());
      return;
    }
    int count = data.remaining();
    bytesOut += count;
    if (discardOutbound) {
      data.position(data.limit());
    } else if (data.hasArray()) {
      outbound.write(data.array(), data.arrayOffset() + data.position(), count);
      data.position(data.limit());
    } else {
      byte[] bytes = new byte[count];
      data.get(bytes);
      outbound.writeBytes(bytes);
    }
  }

  @Override
  public void writeFile(FileChannel file, long position, long count) {
    try (file) {
      file.transferTo(position, count, Channels.newChannel(outbound));
      bytesOut += count;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void flush() {}

  @Override
  public long pendingBytes() {
    return 0;
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public void suspendReads() {
    readsSuspended = true;
  }

  @Override
  public void resumeReads() {
    readsSuspended = false;
  }

  @Override
  public void shutdownOutput() {
    outputShut = true;
    if (inputShut) {
      close(CloseReason.LOCAL);
    } else if (state == ConnectionState.OPEN) {
      state = ConnectionState.OUTPUT_SHUT;
    }
  }

  @Override
  public void close() {
    close(CloseReason.LOCAL);
  }

  @Override
  public void close(CloseReason reason) {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    state = ConnectionState.CLOSED;
    closeReason = reason;
    protocol.closed(this, reason);
  }

  @Override
  public void closeAfterFlush() {
    close(CloseReason.LOCAL);
  }

  @Override
  public ConnectionState state() {
    return state;
  }

  /** An embedded connection has no socket, so no options. */
  @Override
  public <T> Optional<T> option(SocketOption<T> option) {
    return Optional.empty();
  }

  @Override
  public ConnectionInfo info() {
    return new ConnectionInfo(
        0,
        Transport.TCP,
        ConnectionInfo.Side.SERVER,
        local,
        remote,
        protocol.name(),
        state,
        bytesIn,
        bytesOut,
        0,
        openedAt,
        Duration.ZERO,
        ConnectionInfo.ClosedFirst.NOT_YET);
  }

  @Override
  public Protocol protocol() {
    return protocol;
  }

  @Override
  public void switchProtocol(Protocol next, ByteBuffer leftover) {
    protocol = next;
    call(() -> next.opened(this));
    if (leftover.hasRemaining() && isOpen()) {
      call(() -> next.received(this, leftover));
    }
  }

  @Override
  public boolean inEventLoop() {
    return true;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    TimerWheel.Timer timer = timers.schedule(clock.nanoTime() + delay.toNanos(), task);
    return () -> timers.cancel(timer);
  }

  /**
   * Wakes the protocol up from {@link #runPendingTasks()} once the fake clock reaches the deadline.
   */
  @Override
  public void wakeUpAt(long deadlineNanos) {
    timers.cancel(wakeUpTimer);
    if (deadlineNanos != Long.MAX_VALUE) {
      timers.schedule(wakeUpTimer, deadlineNanos);
    }
  }

  /** Remembers the idle timeout a protocol set; an embedded connection never times out. */
  @Override
  public void idleTimeout(Duration idle) {
    idleTimeout = idle;
  }

  /** The idle timeout the protocol last set with {@link #idleTimeout(Duration)}, if any. */
  public Optional<Duration> idleTimeoutSet() {
    return Optional.ofNullable(idleTimeout);
  }

  @Override
  public long nanoTime() {
    return clock.nanoTime();
  }
}
