package dev.wharf.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, polling; for tests that must not sleep and hope. */
public final class Await {
  /** The wait of {@link #until(String, BooleanSupplier)}: long enough for a loaded machine. */
  public static final Duration DEFAULT = Duration.ofSeconds(15);

  private Await() {}

  /** Returns once {@code condition} holds; fails naming {@code what} after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      // The polling interval of a wait bounded by its deadline, not a guess at timing.
      LockSupport.parkNanos(5_000_000);
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted waiting for: " + what);
      }
    }
  }

  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }
}
