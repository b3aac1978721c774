package dev.wharf.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The deadlines a connection lives by. {@link Duration#ZERO} turns one off.
 *
 * <p>The defaults are safe for a server facing the internet: a peer that connects and says nothing,
 * or stops reading what we send, is cut off instead of holding a socket for ever.
 *
 * @param connect how long a client connect may take, per address tried
 * @param idle how long a connection may go without reading or writing a byte
 * @param read how long a connection may go without reading a byte
 * @param writeStall how long queued output may wait without the peer taking any of it
 */
public record Timeouts(Duration connect, Duration idle, Duration read, Duration writeStall) {

  /** connect 10 s, idle 5 min, read off, write stall 60 s. */
  public static final Timeouts DEFAULTS =
      new Timeouts(
          Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(60));

  /** For interactive tools (netcat-style): only connect has a deadline. */
  public static final Timeouts INTERACTIVE =
      new Timeouts(Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO, Duration.ZERO);

  public Timeouts {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(idle, "idle");
    Objects.requireNonNull(read, "read");
    Objects.requireNonNull(writeStall, "writeStall");
    for (Duration d : new Duration[] {connect, idle, read, writeStall}) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("timeouts must not be negative: " + d);
      }
    }
  }

  public Timeouts withConnect(Duration value) {
    return new Timeouts(value, idle, read, writeStall);
  }

  public Timeouts withIdle(Duration value) {
    return new Timeouts(connect, value, read, writeStall);
  }

  public Timeouts withRead(Duration value) {
    return new Timeouts(connect, idle, value, writeStall);
  }

  public Timeouts withWriteStall(Duration value) {
    return new Timeouts(connect, idle, read, value);
  }
}
