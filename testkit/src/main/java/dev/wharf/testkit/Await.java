package dev.wharf.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Waits for a condition with a deadline, polling; for tests that must not sleep and hope. */
public final class Await {
  /** The wait of {@link #until(String, Condition)}: long enough for a loaded machine. */
  public static final Duration DEFAULT = Duration.ofSeconds(15);

  /** How often a cheap condition is looked at: the polling interval, not a guess at timing. */
  private static final Duration POLL = Duration.ofMillis(5);

  private Await() {}

  /** A condition to wait for; it may do I/O (a probe connection, a file, a process) and throw. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** Returns once {@code condition} holds; fails naming {@code what} after {@code timeout}. */
  public static void until(String what, Duration timeout, Condition condition) {
    until(what, timeout, POLL, condition);
  }

  public static void until(String what, Condition condition) {
    until(what, DEFAULT, condition);
  }

  /**
   * As {@link #until(String, Duration, Condition)}, looking every {@code interval}: for a probe
   * that costs (a handshake, a process) or a condition that changes on a slower clock.
   */
  public static void until(String what, Duration timeout, Duration interval, Condition condition) {
    if (!within(timeout, interval, condition)) {
      throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
    }
  }

  /**
   * True once {@code condition} holds, false if {@code timeout} passes first: for a caller that
   * says itself what went wrong (with the state it sees then).
   */
  public static boolean within(Duration timeout, Condition condition) {
    return within(timeout, POLL, condition);
  }

  public static boolean within(Duration timeout, Duration interval, Condition condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(interval.toNanos());
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting");
      }
    }
    return true;
  }

  private static boolean holds(Condition condition) {
    try {
      return condition.holds();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("the condition waited for failed", e);
    }
  }
}
