package dev.wharf.core.tls;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, polling; for tests that must not sleep and hope. */
final class Awaiting {
  private Awaiting() {}

  static void until(String what, BooleanSupplier condition) {
    until(what, Duration.ofSeconds(15), condition);
  }

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      LockSupport.parkNanos(5_000_000); // The polling interval of a bounded wait.
    }
  }
}
