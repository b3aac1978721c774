package dev.wharf.core;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as people read them in messages: {@code 300 ms}, {@code 5 s}, {@code 90 s}, {@code 1.5
 * s}; never as {@link Duration#toString()} prints them ({@code PT1M30S}). The one formatter for
 * every timeout Wharf reports, so a CLI shows a library's message as it is. Any thread.
 */
public final class Durations {
  private Durations() {}

  /**
   * Milliseconds below a second, whole seconds as such, other times in seconds with as many
   * decimals as they need (at most three: finer than a millisecond is not shown).
   */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (Math.abs(millis) < 1000) {
      return millis + " ms";
    }
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
  }
}
