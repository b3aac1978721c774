package dev.wharf.http.files;

import dev.wharf.http.fields.FieldValues;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The Range header of RFC 9110 §14.1.2, for bytes: parsed, checked against a length, and reduced to
 * the fewest stretches that cover what was asked.
 */
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
   * The satisfiable ranges of {@code header} for a representation of {@code length} bytes, in
   * ascending order with overlapping and adjacent ones merged: empty if the header is to be ignored
   * (then the whole representation goes out with 200, as RFC 9110 §14.2 allows), an empty list if
   * none is satisfiable (416).
   *
   * <p>Ignored are a header that is not a valid bytes range set, one of more than {@link
   * #MAX_RANGES} ranges, and one whose ranges add up to more than the representation: a few bytes
   * of request must not make the server send the same bytes many times over (nginx does the same).
   */
  static Optional<List<Range>> parse(String header, long length) {
    String value = header.trim();
    if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
      return Optional.empty();
    }
    var ranges = new ArrayList<Range>();
    // RFC 9110 §14.1.1: a range-set is a list, so empty elements are skipped (§5.6.1).
    List<String> specs = FieldValues.list(value.substring(6));
    if (specs.isEmpty() || specs.size() > MAX_RANGES) {
      return Optional.empty();
    }
    long total = 0;
    for (String spec : specs) {
      int before = ranges.size();
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
      if (ranges.size() > before) {
        total += ranges.getLast().length();
      }
    }
    if (total > length) {
      return Optional.empty();
    }
    return Optional.of(coalesce(ranges));
  }

  /**
   * RFC 9110 §14.6: a server may coalesce ranges that overlap or touch, whatever their order in the
   * request; so each byte goes out once, in one part.
   */
  static List<Range> coalesce(List<Range> ranges) {
    var sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingLong(Range::first));
    var merged = new ArrayList<Range>(sorted.size());
    for (Range next : sorted) {
      Range last = merged.isEmpty() ? null : merged.getLast();
      if (last != null && next.first() <= last.last() + 1) {
        merged.set(merged.size() - 1, new Range(last.first(), Math.max(last.last(), next.last())));
      } else {
        merged.add(next);
      }
    }
    return merged;
  }

  private static long digits(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      throw new NumberFormatException(text);
    }
    return Long.parseLong(text);
  }
}
