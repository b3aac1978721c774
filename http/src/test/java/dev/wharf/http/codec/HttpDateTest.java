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
