package dev.wharf.http.codec;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * IMF-fixdate (RFC 9110 §5.6.7), as the Date header wants it. Formatting costs more than a request
 * should, so the current second's text is kept and shared; any thread.
 */
public final class HttpDate {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private record Cached(long second, String text) {}

  private static volatile Cached cached = new Cached(-1, "");

  private HttpDate() {}

  /** The text for the current second. */
  public static String now() {
    return of(System.currentTimeMillis());
  }

  /** The text for a moment given in milliseconds since the epoch. */
  public static String of(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Cached current = cached;
    if (current.second() == second) {
      return current.text();
    }
    String text = FORMAT.format(Instant.ofEpochSecond(second));
    cached = new Cached(second, text);
    return text;
  }

  /** Parses IMF-fixdate; empty for anything else (RFC 9110 says to ignore invalid dates). */
  public static java.util.Optional<Instant> parse(String text) {
    try {
      return java.util.Optional.of(Instant.from(FORMAT.parse(text.trim())));
    } catch (java.time.format.DateTimeParseException e) {
      return java.util.Optional.empty();
    }
  }
}
