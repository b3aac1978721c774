package dev.wharf.core.testing;

import java.time.Duration;

/** A clock that moves only when told to; for deterministic timeout tests. Not thread-safe. */
public final class FakeClock {
  private long nanos;

  /** Starts at an arbitrary non-zero reading, as {@link System#nanoTime()} does. */
  public FakeClock() {
    this(1_000_000_000L);
  }

  public FakeClock(long startNanos) {
    this.nanos = startNanos;
  }

  public long nanoTime() {
    return nanos;
  }

  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + by);
    }
    nanos += by.toNanos();
  }
}
