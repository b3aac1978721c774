package dev.wharf.http.codec;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * HTTP's dates (RFC 9110 §5.6.7): IMF-fixdate written, as the Date and Last-Modified headers want
 * it, and all three formats read, as a recipient must. Formatting costs more than a request should,
 * so the current second's text is kept and shared; any thread.
 *
 * <p>Written and read by hand rather than with a {@code DateTimeFormatter}: its day and month names
 * come from the locale data, whose loading took 20 ms of a server's first response; HTTP's names
 * are fixed English abbreviations, as nginx writes them.
 */
public final class HttpDate {
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] LONG_DAYS = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
  };
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private static final long SECOND_NANOS = 1_000_000_000L;
  private static final int DAY_SECONDS = 86_400;

  /** The first and last seconds of the years 1 to 9999, all IMF-fixdate's four digits hold. */
  private static final long FIRST_SECOND = -62_135_596_800L; // 0001-01-01T00:00:00Z

  private static final long LAST_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

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

  /**
   * The text for a moment given in milliseconds since the epoch; moments outside the years 1 to
   * 9999 (a file's odd modification time) are given as the nearest second inside them.
   */
  public static String of(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Formatted last = formatted;
    if (last.second() == second) {
      return last.text();
    }
    String text = format(Math.clamp(second, FIRST_SECOND, LAST_SECOND));
    formatted = new Formatted(second, text);
    return text;
  }

  /** "Sun, 06 Nov 1994 08:49:37 GMT". */
  private static String format(long epochSecond) {
    long day = Math.floorDiv(epochSecond, DAY_SECONDS);
    int secondOfDay = Math.floorMod(epochSecond, DAY_SECONDS);
    LocalDate date = LocalDate.ofEpochDay(day);
    var text = new StringBuilder(29);
    // 1970-01-01 was a Thursday. (LocalDate.getDayOfWeek would initialize java.time.Year.)
    text.append(DAYS[Math.floorMod(day + 3, 7)]).append(", ");
    twoDigits(text, date.getDayOfMonth()).append(' ');
    text.append(MONTHS[date.getMonthValue() - 1]).append(' ');
    int year = date.getYear();
    twoDigits(twoDigits(text, year / 100), year % 100).append(' ');
    twoDigits(text, secondOfDay / 3600).append(':');
    twoDigits(text, secondOfDay / 60 % 60).append(':');
    return twoDigits(text, secondOfDay % 60).append(" GMT").toString();
  }

  private static StringBuilder twoDigits(StringBuilder text, int value) {
    return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  /**
   * The English abbreviation of a month (1 is "Jan"), as HTTP dates and the Common Log Format write
   * it whatever the locale.
   */
  public static String monthAbbreviation(int month) {
    return MONTHS[month - 1];
  }

  /**
   * Parses an HTTP-date in any of its three formats, IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37
   * GMT}), the obsolete RFC 850 one ({@code Sunday, 06-Nov-94 08:49:37 GMT}, its two-digit year
   * taken as the latest such year no more than 50 years ahead) and asctime's ({@code Sun Nov 6
   * 08:49:37 1994}); empty for anything else, which RFC 9110 says to ignore. As nginx, the day's
   * name is checked to be one but not against the date.
   */
  public static Optional<Instant> parse(String text) {
    String s = text.strip();
    if (s.length() == 29 && s.charAt(3) == ',') {
      return imfFixdate(s);
    }
    if (s.length() == 24 && s.charAt(3) == ' ') {
      return asctime(s);
    }
    int comma = s.indexOf(',');
    return comma > 0 ? rfc850(s, comma) : Optional.empty();
  }

  /** "Sun, 06 Nov 1994 08:49:37 GMT". */
  private static Optional<Instant> imfFixdate(String s) {
    if (indexOf(DAYS, s.substring(0, 3)) < 0
        || !s.startsWith(" ", 4)
        || !s.startsWith(" ", 7)
        || !s.startsWith(" ", 11)
        || !s.startsWith(" ", 16)
        || !s.startsWith(" GMT", 25)) {
      return Optional.empty();
    }
    return instant(digits(s, 12, 4), month(s, 8), digits(s, 5, 2), s, 17);
  }

  /** "Sunday, 06-Nov-94 08:49:37 GMT". */
  private static Optional<Instant> rfc850(String s, int comma) {
    if (indexOf(LONG_DAYS, s.substring(0, comma)) < 0
        || s.length() != comma + 24
        || !s.startsWith(" ", comma + 1)
        || !s.startsWith("-", comma + 4)
        || !s.startsWith("-", comma + 8)
        || !s.startsWith(" ", comma + 11)
        || !s.startsWith(" GMT", comma + 20)) {
      return Optional.empty();
    }
    int twoDigitYear = digits(s, comma + 9, 2);
    if (twoDigitYear < 0) {
      return Optional.empty();
    }
    int thisYear =
        LocalDate.ofEpochDay(Math.floorDiv(System.currentTimeMillis(), DAY_SECONDS * 1000L))
            .getYear();
    int year = thisYear - thisYear % 100 + twoDigitYear;
    if (year > thisYear + 50) {
      year -= 100;
    }
    return instant(year, month(s, comma + 5), digits(s, comma + 2, 2), s, comma + 12);
  }

  /** "Sun Nov 6 08:49:37 1994": the day of the month is a space and a digit or two digits. */
  private static Optional<Instant> asctime(String s) {
    if (indexOf(DAYS, s.substring(0, 3)) < 0
        || !s.startsWith(" ", 7)
        || !s.startsWith(" ", 10)
        || !s.startsWith(" ", 19)) {
      return Optional.empty();
    }
    int day = s.charAt(8) == ' ' ? digits(s, 9, 1) : digits(s, 8, 2);
    return instant(digits(s, 20, 4), month(s, 4), day, s, 11);
  }

  /**
   * The date given and the time of day "HH:MM:SS" at {@code time} in {@code s}, in UTC; empty when
   * a field was not digits (-1 here) or is out of range (30 Feb, 25:00).
   */
  private static Optional<Instant> instant(int year, int month, int day, String s, int time) {
    if (year < 0
        || month < 1
        || day < 1
        || day > daysInMonth(year, month)
        || !s.startsWith(":", time + 2)
        || !s.startsWith(":", time + 5)) {
      return Optional.empty();
    }
    int hour = digits(s, time, 2);
    int minute = digits(s, time + 3, 2);
    int second = digits(s, time + 6, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return Optional.empty();
    }
    long epochDay = epochDay(year, month, day);
    return Optional.of(
        Instant.ofEpochSecond(epochDay * DAY_SECONDS + hour * 3600L + minute * 60L + second));
  }

  /*
   * java.time's own leap-year test, LocalDate.toEpochDay and getDayOfWeek initialize
   * java.time.Year, which builds a DateTimeFormatter and with it every ISO formatter: 6 ms of a
   * first response. So the calendar arithmetic is done here (proleptic Gregorian, as java.time's);
   * LocalDate.ofEpochDay is only arithmetic.
   */

  private static int daysInMonth(int year, int month) {
    return month == 2 ? (isLeap(year) ? 29 : 28) : 31 - (month - 1) % 7 % 2;
  }

  private static boolean isLeap(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  /** Days from 1970-01-01 to that date (H. Hinnant's days_from_civil). */
  private static long epochDay(int year, int month, int day) {
    int y = month <= 2 ? year - 1 : year;
    int era = Math.floorDiv(y, 400);
    int yearOfEra = y - era * 400;
    int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097L + dayOfEra - 719_468;
  }

  /** The month whose abbreviation starts at {@code at} (1 to 12), or 0. */
  private static int month(String s, int at) {
    return indexOf(MONTHS, s.substring(at, at + 3)) + 1;
  }

  /** The number written in {@code count} ASCII digits from {@code at}, or -1 if they are not. */
  private static int digits(String s, int at, int count) {
    int value = 0;
    for (int i = at; i < at + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static int indexOf(String[] names, String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
