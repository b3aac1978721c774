package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
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
    long nanos = System.nanoTime();
    assertCloseToNow(HttpDate.now());
    assertCloseToNow(HttpDate.now(nanos));
    // Formatting another moment in between does not disturb the current second's text.
    assertThat(HttpDate.of(0)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
    assertCloseToNow(HttpDate.now(nanos));
    // A reading outside the second last seen makes it look at the wall clock, not add it up.
    assertCloseToNow(HttpDate.now(nanos + Duration.ofMinutes(10).toNanos()));
    assertCloseToNow(HttpDate.now(nanos - Duration.ofMinutes(10).toNanos()));
  }

  private static void assertCloseToNow(String text) {
    Instant parsed = HttpDate.parse(text).orElseThrow();
    assertThat(Duration.between(parsed, Instant.now()).abs()).isLessThan(Duration.ofSeconds(3));
  }
}
