package dev.wharf.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The Range header of RFC 9110 §14.1.2, for bytes: parsed and checked against a length. */
final class ByteRanges {
  /** An inclusive stretch of a representation. */
  record Range(long first, long last) {
    long length() {
      return last - first + 1;
    }
  }

  /** More ranges than this in one request is a sign of abuse; the whole file is sent instead. */
  static final int MAX_RANGES = 16;

  private ByteRanges() {}

  /**
   * The satisfiable ranges of {@code header} for a representation of {@code length} bytes: empty if
   * the header is not a valid bytes range set (then it is ignored, as RFC 9110 allows), an empty
   * list if none is satisfiable (416).
   */
  static Optional<List<Range>> parse(String header, long length) {
    String value = header.trim();
    if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
      return Optional.empty();
    }
    var ranges = new ArrayList<Range>();
    String[] specs = value.substring(6).split(",");
    if (specs.length > MAX_RANGES) {
      return Optional.empty();
    }
    for (String raw : specs) {
      String spec = raw.trim();
      int dash = spec.indexOf('-');
      if (dash < 0) {
        return Optional.empty();
      }
      String from = spec.substring(0, dash).trim();
      String to = spec.substring(dash + 1).trim();
      try {
        if (from.isEmpty()) {
          // A suffix: the last N bytes.
          long suffix = digits(to);
          if (suffix > 0 && length > 0) {
            ranges.add(new Range(Math.max(0, length - suffix), length - 1));
          }
        } else {
          long first = digits(from);
          long last = to.isEmpty() ? length - 1 : Math.min(digits(to), length - 1);
          if (!to.isEmpty() && digits(to) < first) {
            return Optional.empty();
          }
          if (first < length) {
            ranges.add(new Range(first, last));
          }
        }
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.of(ranges);
  }

  private static long digits(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      throw new NumberFormatException(text);
    }
    return Long.parseLong(text);
  }
}
