package dev.wharf.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RFC 6298's arithmetic, clamped as nmap clamps it; round trips in nanoseconds, no clock. */
class RttEstimatorTest {
  private static final long MS = 1_000_000;
  private static final RttEstimator.Limits WIDE =
      new RttEstimator.Limits(Duration.ofMillis(500), Duration.ofMillis(1), Duration.ofSeconds(10));

  @Test
  void beforeAnyAnswerTheTimeoutIsTheInitialOne() {
    var rtt = new RttEstimator(RttEstimator.Limits.NMAP_T4);
    assertThat(rtt.timeoutNanos()).isEqualTo(500 * MS);
    assertThat(rtt.srttNanos()).isEqualTo(-1);
    assertThat(rtt.samples()).isZero();
  }

  /** RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR = 3R. */
  @Test
  void theFirstSampleGivesThreeTimesItsRoundTrip() {
    var rtt = new RttEstimator(WIDE);
    rtt.sample(40 * MS);
    assertThat(rtt.srttNanos()).isEqualTo(40 * MS);
    assertThat(rtt.rttvarNanos()).isEqualTo(20 * MS);
    assertThat(rtt.timeoutNanos()).isEqualTo(120 * MS);
  }

  /** §2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| (the old SRTT), then SRTT = 7/8 SRTT + 1/8 R. */
  @Test
  void laterSamplesAreSmoothed() {
    var rtt = new RttEstimator(WIDE);
    rtt.sample(40 * MS);
    rtt.sample(80 * MS);
    // RTTVAR = 3/4 * 20 + 1/4 * |40 - 80| = 25; SRTT = 7/8 * 40 + 1/8 * 80 = 45.
    assertThat(rtt.rttvarNanos()).isEqualTo(25 * MS);
    assertThat(rtt.srttNanos()).isEqualTo(45 * MS);
    assertThat(rtt.timeoutNanos()).isEqualTo(145 * MS);
    rtt.sample(45 * MS);
    // RTTVAR = 3/4 * 25 + 0 = 18.75; SRTT stays 45; RTO = 45 + 75 = 120.
    assertThat(rtt.rttvarNanos()).isEqualTo(18_750_000);
    assertThat(rtt.timeoutNanos()).isEqualTo(120 * MS);
  }

  @Test
  void aFastPathIsHeldAtTheFloorAndASlowOneAtTheCeiling() {
    var fast = new RttEstimator(RttEstimator.Limits.NMAP_T4);
    for (int i = 0; i < 50; i++) {
      fast.sample(30_000); // 30 µs: the loopback
    }
    assertThat(fast.srttNanos()).isEqualTo(30_000);
    assertThat(fast.timeoutNanos()).isEqualTo(100 * MS);

    var slow = new RttEstimator(RttEstimator.Limits.NMAP_T4);
    slow.sample(900 * MS);
    assertThat(slow.timeoutNanos()).isEqualTo(1250 * MS);
  }

  @Test
  void aFixedTimeoutLearnsNothing() {
    var rtt = new RttEstimator(RttEstimator.Limits.fixed(Duration.ofMillis(300)));
    rtt.sample(1 * MS);
    rtt.sample(2_000 * MS);
    assertThat(rtt.timeoutNanos()).isEqualTo(300 * MS);
  }

  @Test
  void anInitialTimeoutOutsideTheBoundsIsBroughtIn() {
    var rtt =
        new RttEstimator(
            new RttEstimator.Limits(
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1)));
    assertThat(rtt.timeoutNanos()).isEqualTo(1_000 * MS);
  }

  @Test
  void aFloorAboveTheCeilingIsRefused() {
    assertThatThrownBy(
            () ->
                new RttEstimator.Limits(
                    Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("above the maximum");
  }
}
