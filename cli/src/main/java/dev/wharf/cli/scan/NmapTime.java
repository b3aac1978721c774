package dev.wharf.cli.scan;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time as nmap's timing options take it ({@code --max-rtt-timeout 250ms}): a number, then {@code
 * ms}, {@code s}, {@code m} or {@code h}; a bare number is seconds, as nmap reads it.
 */
final class NmapTime {
  private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ms|s|m|h)?");

  private NmapTime() {}

  /**
   * The time {@code text} says, above 0 and at most an hour.
   *
   * @throws IllegalArgumentException naming {@code option}, for anything else
   */
  static Duration parse(String option, String text) {
    Matcher m = TIME.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option + " takes a time such as 250ms, 1.5s or 2m, got '" + text + "'");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double seconds =
        switch (unit) {
          case "ms" -> value / 1000;
          case "m" -> value * 60;
          case "h" -> value * 3600;
          default -> value;
        };
    if (!(seconds > 0) || seconds > 3600) {
      throw new IllegalArgumentException(
          option + " must be above 0 and at most an hour, got '" + text + "'");
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
