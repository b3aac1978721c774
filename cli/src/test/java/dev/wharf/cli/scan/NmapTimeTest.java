package dev.wharf.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NmapTimeTest {
  @Test
  void readsNmapsUnitsAndBareSeconds() {
    assertThat(NmapTime.parse("--x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(NmapTime.parse("--x", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(NmapTime.parse("--x", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(NmapTime.parse("--x", "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(NmapTime.parse("--x", "0.1")).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void refusesWhatIsNotATimeNamingTheOption() {
    for (String bad : new String[] {"", "fast", "-1s", "0ms", "2d", "1.5.2s", "2h"}) {
      assertThatThrownBy(() -> NmapTime.parse("--max-rtt-timeout", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--max-rtt-timeout ");
    }
  }
}
