package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PingStatisticsTest {

  @Test
  void replyTimesHaveFewerDecimalsTheLongerTheyAre() {
    assertThat(PingStatistics.time(Duration.ofNanos(32_400))).isEqualTo("0.032 ms");
    assertThat(PingStatistics.time(Duration.ofNanos(1_234_000))).isEqualTo("1.23 ms");
    assertThat(PingStatistics.time(Duration.ofNanos(12_345_000))).isEqualTo("12.3 ms");
    assertThat(PingStatistics.time(Duration.ofNanos(123_456_000))).isEqualTo("123 ms");
  }

  @Test
  void lossIsPrintedAsCsPercentG() {
    assertThat(PingStatistics.percent(0f)).isEqualTo("0");
    assertThat(PingStatistics.percent(50f)).isEqualTo("50");
    assertThat(PingStatistics.percent((float) (200.0 / 3))).isEqualTo("66.6667");
    assertThat(PingStatistics.percent(100f)).isEqualTo("100");
  }

  @Test
  void theSummaryHasIputilsShape() {
    var statistics = new PingStatistics();
    for (int i = 1; i <= 3; i++) {
      statistics.sent();
    }
    statistics.replied(1, Duration.ofNanos(40_000));
    statistics.replied(2, Duration.ofNanos(60_000));
    assertThat(statistics.replied(2, Duration.ofNanos(50_000))).isTrue();
    statistics.error();
    assertThat(statistics.summary("h", Duration.ofMillis(401), true))
        .isEqualTo(
            "\n--- h ping statistics ---\n"
                + "3 packets transmitted, 2 received, +1 duplicates, +1 errors,"
                + " 33.3333% packet loss, time 401ms\n"
                + "rtt min/avg/max/mdev = 0.040/0.050/0.060/0.008 ms\n");
    assertThat(statistics.exitCode()).isZero();
  }

  @Test
  void nothingReceivedExitsOneWithoutRoundTrips() {
    var statistics = new PingStatistics();
    statistics.sent();
    assertThat(statistics.summary("h", Duration.ZERO, true))
        .endsWith("1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n");
    assertThat(statistics.exitCode()).isEqualTo(1);
  }
}
