package dev.wharf.cli;

import java.time.Duration;

/**
 * Options that take a number of seconds, as {@code -w 2.5} and {@code --ping 30}: above zero and at
 * most a day, whole or fractional. Parsing only; any thread.
 */
public final class Seconds {
  private static final double MOST = 86_400;

  private Seconds() {}

  /**
   * {@code seconds} as a duration, to the nanosecond.
   *
   * @throws IllegalArgumentException naming {@code option} if it is not above 0 and at most 86400
   */
  public static Duration of(String option, double seconds) {
    if (!(seconds > 0) || seconds > MOST) {
      throw new IllegalArgumentException(
          option + " must be between 0 and 86400 seconds, got " + seconds);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
