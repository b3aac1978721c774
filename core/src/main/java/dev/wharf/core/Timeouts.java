package dev.wharf.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The deadlines a connection lives by. {@link Duration#ZERO} turns one off.
 *
 * <p>The defaults are safe for a server facing the internet: a peer that connects and says nothing,
 * or stops reading what we send, is cut off instead of holding a socket for ever.
 *
 * <p><b>Lingering close.</b> When this side closes a TCP connection gracefully ({@link
 * Connection#closeAfterFlush()}, or {@link Connection#close()} with a {@link
 * CloseReason.Kind#LOCAL} reason) before the peer has closed its side, the transport sends FIN and
 * then reads and discards what the peer still sends, until the peer's FIN, an error, {@code
 * lingeringTimeout} of silence or {@code lingeringTime} in all. Closing a socket with unread input
 * makes the kernel send RST, and an RST can make the peer's kernel throw away what we sent just
 * before: a final error response, a WebSocket Close, a TLS alert. nginx's {@code lingering_close}
 * does the same. Either value at {@link Duration#ZERO} turns lingering off; failures, timeouts and
 * shutdown never linger.
 *
 * @param connect how long a client connect may take, per address tried
 * @param idle how long a connection may go without reading or writing a byte
 * @param read how long a connection may go without reading a byte
 * @param writeStall how long queued output may wait without the peer taking any of it
 * @param lingeringTimeout how long a lingering close waits for more input from a silent peer
 * @param lingeringTime how long a lingering close may last in all, however much the peer sends
 */
public record Timeouts(
    Duration connect,
    Duration idle,
    Duration read,
    Duration writeStall,
    Duration lingeringTimeout,
    Duration lingeringTime) {

  private static final Duration LINGERING_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration LINGERING_TIME = Duration.ofSeconds(5);

  /** connect 10 s, idle 5 min, read off, write stall 60 s; lingering 2 s of silence, 5 s in all. */
  public static final Timeouts DEFAULTS =
      new Timeouts(
          Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60));

  /** For interactive tools (netcat-style): only connect has a deadline, and lingering its own. */
  public static final Timeouts INTERACTIVE =
      new Timeouts(Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO, Duration.ZERO);

  public Timeouts {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(idle, "idle");
    Objects.requireNonNull(read, "read");
    Objects.requireNonNull(writeStall, "writeStall");
    Objects.requireNonNull(lingeringTimeout, "lingeringTimeout");
    Objects.requireNonNull(lingeringTime, "lingeringTime");
    for (Duration d :
        new Duration[] {connect, idle, read, writeStall, lingeringTimeout, lingeringTime}) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("timeouts must not be negative: " + d);
      }
    }
  }

  /** These four deadlines, with the default lingering close (2 s of silence, 5 s in all). */
  public Timeouts(Duration connect, Duration idle, Duration read, Duration writeStall) {
    this(connect, idle, read, writeStall, LINGERING_TIMEOUT, LINGERING_TIME);
  }

  public Timeouts withConnect(Duration value) {
    return new Timeouts(value, idle, read, writeStall, lingeringTimeout, lingeringTime);
  }

  public Timeouts withIdle(Duration value) {
    return new Timeouts(connect, value, read, writeStall, lingeringTimeout, lingeringTime);
  }

  public Timeouts withRead(Duration value) {
    return new Timeouts(connect, idle, value, writeStall, lingeringTimeout, lingeringTime);
  }

  public Timeouts withWriteStall(Duration value) {
    return new Timeouts(connect, idle, read, value, lingeringTimeout, lingeringTime);
  }

  /**
   * A lingering close that waits up to {@code silence} for more input and ends after {@code total}
   * at the latest; {@link Duration#ZERO} for either turns lingering off.
   */
  public Timeouts withLingering(Duration silence, Duration total) {
    return new Timeouts(connect, idle, read, writeStall, silence, total);
  }

  /** True when a graceful close lingers (both lingering deadlines are set). */
  public boolean lingers() {
    return !lingeringTimeout.isZero() && !lingeringTime.isZero();
  }
}
