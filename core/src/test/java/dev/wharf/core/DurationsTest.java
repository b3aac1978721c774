package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void timeoutsReadAsPeopleWriteThem() {
    assertThat(Durations.format(Duration.ofMillis(300))).isEqualTo("300 ms");
    assertThat(Durations.format(Duration.ofSeconds(5))).isEqualTo("5 s");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90 s");
    assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("300 s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    assertThat(Durations.format(Duration.ofMillis(1001))).isEqualTo("1.001 s");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0 ms");
  }

  @Test
  void finerThanAMillisecondIsNotShown() {
    assertThat(Durations.format(Duration.ofNanos(1_500_000))).isEqualTo("1 ms");
    assertThat(Durations.format(Duration.ofNanos(2_000_000_001L))).isEqualTo("2 s");
  }

  @Test
  void neverTheIsoForm() {
    assertThat(Durations.format(Duration.ofSeconds(90))).doesNotContain("PT");
  }
}
