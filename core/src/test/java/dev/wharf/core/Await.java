package dev.wharf.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, polling; for tests that must not sleep and hope. */
final class Await {
  private Await() {}

  static void until(String what, Duration timeout, BooleanSupplier condition) {
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

  static void until(String what, BooleanSupplier condition) {
    until(what, Duration.ofSeconds(10), condition);
  }
}
