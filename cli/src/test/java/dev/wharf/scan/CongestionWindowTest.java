package dev.wharf.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The window of probes awaiting answers: slow start, congestion avoidance, and drops. */
class CongestionWindowTest {

  @Test
  void itStartsAtNmapsTenAndGrowsByOnePerAnswerInSlowStart() {
    var window = new CongestionWindow(1, 1000);
    assertThat(window.size()).isEqualTo(10);
    for (int i = 0; i < 10; i++) {
      window.answered();
    }
    assertThat(window.size()).isEqualTo(20);
  }

  @Test
  void itNeverPassesItsCeiling() {
    var window = new CongestionWindow(1, 12);
    for (int i = 0; i < 100; i++) {
      window.answered();
    }
    assertThat(window.size()).isEqualTo(12);
  }

  @Test
  void aDropHalvesItAndAfterThatItGrowsByOnePerWindowOfAnswers() {
    var window = new CongestionWindow(1, 1000);
    for (int i = 0; i < 30; i++) {
      window.answered();
    }
    assertThat(window.size()).isEqualTo(40);
    assertThat(window.dropped(0, 100, 39)).isTrue();
    assertThat(window.size()).isEqualTo(20);
    assertThat(window.threshold()).isEqualTo(26); // 39 outstanding / 1.5
    for (int i = 0; i < 6; i++) {
      window.answered(); // slow start up to the threshold
    }
    assertThat(window.size()).isEqualTo(26);
    for (int i = 0; i < 26; i++) {
      window.answered(); // then a window's answers for one more
    }
    assertThat(window.size()).isEqualTo(26);
    window.answered();
    assertThat(window.size()).isEqualTo(27);
  }

  @Test
  void theDropsOfOneWindowShrinkItOnce() {
    var window = new CongestionWindow(1, 1000);
    assertThat(window.dropped(10, 500, 10)).isTrue();
    assertThat(window.size()).isEqualTo(5);
    // Probes sent before that reaction (at 500) are the same event...
    assertThat(window.dropped(20, 510, 9)).isFalse();
    assertThat(window.dropped(499, 520, 8)).isFalse();
    assertThat(window.size()).isEqualTo(5);
    // ...one sent after it is a new one.
    assertThat(window.dropped(600, 1100, 5)).isTrue();
    assertThat(window.size()).isEqualTo(2);
  }

  @Test
  void itNeverFallsBelowItsFloor() {
    var window = new CongestionWindow(4, 100);
    for (int i = 0; i < 10; i++) {
      window.dropped(i * 1000L, i * 1000L + 1, 1);
    }
    assertThat(window.size()).isEqualTo(4);
    assertThat(window.threshold()).isEqualTo(2);
  }
}
