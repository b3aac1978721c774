package dev.wharf.http.codec;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * IMF-fixdate (RFC 9110 §5.6.7), as the Date header wants it. Formatting costs more than a request
 * should, so the current second's text is kept and shared; any thread.
 */
public final class HttpDate {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private static final long SECOND_NANOS = 1_000_000_000L;

  /**
   * The current second's text, and where that second began on the {@link System#nanoTime()} clock,
   * so a caller holding a recent reading of that clock (an event loop's) needs no wall-clock read
   * to know the second has not changed.
   */
  private record Current(String text, long secondStartNanos) {}

  /** The last text {@link #of} made: a file's modification time is asked for again and again. */
  private record Formatted(long second, String text) {}

  private static volatile Current current = new Current(null, 0);
  private static volatile Formatted formatted = new Formatted(Long.MIN_VALUE, "");

  private HttpDate() {}

  /** The text for the current second. */
  public static String now() {
    return now(System.nanoTime());
  }

  /**
   * The text for the current second, given a recent {@link System#nanoTime()} reading: the wall
   * clock is read only when that reading falls outside the second last seen. A step of the wall
   * clock is noticed at the next second; the Date header has one-second precision anyway.
   */
  public static String now(long nanoTime) {
    Current known = current;
    if (known.text() != null
        && nanoTime - known.secondStartNanos() >= 0
        && nanoTime - known.secondStartNanos() < SECOND_NANOS) {
      return known.text();
    }
    long millis = System.currentTimeMillis();
    String text = of(millis);
    current = new Current(text, nanoTime - Math.floorMod(millis, 1000L) * 1_000_000L);
    return text;
  }

  /** The text for a moment given in milliseconds since the epoch. */
  public static String of(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Formatted last = formatted;
    if (last.second() == second) {
      return last.text();
    }
    String text = FORMAT.format(Instant.ofEpochSecond(second));
    formatted = new Formatted(second, text);
    return text;
  }

  /** Parses IMF-fixdate; empty for anything else (RFC 9110 says to ignore invalid dates). */
  public static Optional<Instant> parse(String text) {
    try {
      return Optional.of(Instant.from(FORMAT.parse(text.trim())));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
