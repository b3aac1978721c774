package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class HttpDateTest {
  @Test
  void formatsImfFixdate() {
    assertThat(HttpDate.of(0)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
    assertThat(HttpDate.of(784_111_777_999L)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    assertThat(HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"))
        .contains(Instant.ofEpochSecond(784_111_777L));
    assertThat(HttpDate.parse("yesterday")).isEmpty();
  }

  /** Every second from year 1 to 9999 is written as java.time's formatter writes it in English. */
  @Test
  void writesWhatJavaTimesEnglishFormatterWrites() {
    var oracle =
        java.time.format.DateTimeFormatter.ofPattern(
                "EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
            .withZone(java.time.ZoneOffset.UTC);
    long first = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    var random = new java.util.Random(16);
    for (int i = 0; i < 100_000; i++) {
      long second = i < 2 ? (i == 0 ? first : last) : random.nextLong(first, last + 1);
      String expected = oracle.format(Instant.ofEpochSecond(second));
      assertThat(HttpDate.of(second * 1000 + random.nextInt(1000))).isEqualTo(expected);
      assertThat(HttpDate.parse(expected)).contains(Instant.ofEpochSecond(second));
    }
    // Outside those years, the nearest second inside them (IMF-fixdate has four digits).
    assertThat(HttpDate.of(Long.MAX_VALUE)).isEqualTo("Fri, 31 Dec 9999 23:59:59 GMT");
    assertThat(HttpDate.of(Long.MIN_VALUE)).isEqualTo("Mon, 01 Jan 0001 00:00:00 GMT");
    assertThat(HttpDate.of(-1)).isEqualTo("Wed, 31 Dec 1969 23:59:59 GMT");
  }

  /** RFC 9110 §5.6.7: a recipient accepts all three formats (its examples). */
  @Test
  void readsTheTwoObsoleteFormatsToo() {
    Instant expected = Instant.ofEpochSecond(784_111_777L);
    assertThat(HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT")).contains(expected);
    assertThat(HttpDate.parse("Sun Nov  6 08:49:37 1994")).contains(expected);
    assertThat(HttpDate.parse("Sun Nov 16 08:49:37 1994"))
        .contains(expected.plus(Duration.ofDays(10)));
    assertThat(HttpDate.parse("  Sun, 06 Nov 1994 08:49:37 GMT ")).contains(expected);
    // A two-digit year is the latest such year at most 50 years ahead.
    int thisYear = java.time.Year.now(java.time.ZoneOffset.UTC).getValue();
    int ahead = (thisYear + 10) % 100;
    assertThat(HttpDate.parse(String.format("Monday, 01-Jan-%02d 00:00:00 GMT", ahead)))
        .contains(Instant.parse((thisYear + 10) + "-01-01T00:00:00Z"));
    int behind = (thisYear + 60) % 100;
    assertThat(HttpDate.parse(String.format("Monday, 01-Jan-%02d 00:00:00 GMT", behind)))
        .contains(Instant.parse((thisYear - 40) + "-01-01T00:00:00Z"));
    // As nginx: the day's name must be one, not the right one.
    assertThat(HttpDate.parse("Mon, 06 Nov 1994 08:49:37 GMT")).contains(expected);
  }

  @Test
  void anythingElseIsNoDate() {
    for (String invalid :
        new String[] {
          "",
          "yesterday",
          "Sun, 06 Nov 1994 08:49:37 UTC",
          "Sun, 6 Nov 1994 08:49:37 GMT",
          "Sun, 06 nov 1994 08:49:37 GMT",
          "Sux, 06 Nov 1994 08:49:37 GMT",
          "Sun, 30 Feb 1994 08:49:37 GMT",
          "Sun, 29 Feb 1900 08:49:37 GMT",
          "Sun, 00 Nov 1994 08:49:37 GMT",
          "Sun, 06 Nov 1994 24:00:00 GMT",
          "Sun, 06 Nov 1994 08:60:37 GMT",
          "Sun, 06 Nov 1994 08:49:60 GMT",
          "Sun, 06 Nov 1994 08-49-37 GMT",
          "Sun, +6 Nov 1994 08:49:37 GMT",
          "Sun, 06 Nov -994 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:49:37 GMTX",
          "Sunday, 06-Nov-94 08:49:37 UTC",
          "Sundae, 06-Nov-94 08:49:37 GMT",
          "Sunday, 06 Nov 94 08:49:37 GMT",
          "Sunday, 06-Nov-1994 08:49:37 GMT",
          "Sun Nov  6 08:49:37 94",
          "Sun Nov 6 08:49:37 1994",
          "Sun Nov  x 08:49:37 1994",
          "Sun Foo  6 08:49:37 1994",
          "1994-11-06T08:49:37Z"
        }) {
      assertThat(HttpDate.parse(invalid)).as(invalid).isEmpty();
    }
  }

  @Test
  void nowIsTheWallClocksSecondWhateverMonotonicReadingIsGiven() {
    // Each answer is bounded by the wall clock around it, not by a fixed slack: on a loaded machine
    // the test thread may stall for seconds between any two lines, which a "within 3 s of now"
    // check took for a wrong date. The answer may be no older than the second in which its
    // reading (or the test) began, and no newer than the moment the call returned.
    Instant start = Instant.now();
    long nanos = System.nanoTime();
    assertWithin(start, HttpDate.now());
    assertWithin(start, HttpDate.now(nanos));
    // Formatting another moment in between does not disturb the current second's text.
    assertThat(HttpDate.of(0)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
    assertWithin(start, HttpDate.now(nanos));
    // A reading outside the second last seen makes it look at the wall clock, not add it up.
    Instant later = Instant.now();
    assertWithin(later, HttpDate.now(nanos + Duration.ofMinutes(10).toNanos()));
    later = Instant.now();
    assertWithin(later, HttpDate.now(nanos - Duration.ofMinutes(10).toNanos()));
  }

  /** {@code text} names a second from that of {@code notBefore} to now. */
  private static void assertWithin(Instant notBefore, String text) {
    Instant parsed = HttpDate.parse(text).orElseThrow();
    Instant now = Instant.now();
    assertThat(parsed)
        .as("%s read between %s and %s", text, notBefore, now)
        .isBetween(notBefore.truncatedTo(ChronoUnit.SECONDS), now);
  }
}
