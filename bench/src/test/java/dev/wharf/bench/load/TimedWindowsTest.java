package dev.wharf.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class TimedWindowsTest {
  private static final long S = 1_000_000_000L;

  @Test
  void warmupThenEachWindowOpensWithItsLineAndRecordsOnlyInside() {
    var lines = new ArrayList<String>();
    var windows = new TimedWindows(2, 3, 2, lines::add);
    windows.start(0, "conns=1");
    assertThat(lines).containsExactly("PHASE warmup 2s conns=1");

    windows.record(0, 1_000_000); // warming up: not counted
    assertThat(windows.due(2 * S - 1)).isFalse();
    assertThat(windows.due(2 * S)).isTrue();
    assertThat(windows.measuring()).isFalse();
    assertThat(windows.next(2 * S)).isTrue();
    assertThat(lines).endsWith("MEASURE_START 1");

    windows.record(2 * S, 2 * S + 5_000_000); // 5 ms
    assertThat(windows.due(5 * S - 1)).isFalse();
    assertThat(windows.due(5 * S)).isTrue();
    assertThat(windows.measuring()).isTrue();
    assertThat(windows.rep()).isEqualTo(1);
    assertThat(windows.seconds(5 * S)).isEqualTo(3.0);
    assertThat(windows.latency()).startsWith("p50us=5001.2 ").contains("maxus=5001.2");

    assertThat(windows.next(5 * S)).isTrue();
    assertThat(lines).endsWith("MEASURE_START 2");
    assertThat(windows.latency()).startsWith("p50us=0.0 "); // a fresh histogram per window
    assertThat(windows.next(8 * S)).isFalse();
    assertThat(lines).hasSize(3);
  }
}
