package dev.wharf.bench.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WrkTest {

  @Test
  void readsTheScriptsSummaryLine() throws IOException {
    String output =
        """
        Running 20s test @ http://127.0.0.1:8100/plaintext
          1 threads and 64 connections
        Requests/sec: 160000.00
        WRK requests=3200000 bytes=416000000 duration_us=20000000 connect=0 read=1 write=0 \
        status=2 timeout=3 p50us=380 p90us=700 p99us=1500 maxus=9000 cpu_s=19.500
        """;
    Wrk.Result r = Wrk.parse(output);
    assertThat(r.requests()).isEqualTo(3_200_000);
    assertThat(r.bytes()).isEqualTo(416_000_000);
    assertThat(r.seconds()).isEqualTo(20.0);
    assertThat(r.errors()).isEqualTo(6);
    assertThat(r.p50us()).isEqualTo(380);
    assertThat(r.p99us()).isEqualTo(1500);
    assertThat(r.cpuSeconds()).isEqualTo(19.5);
  }

  @Test
  void failsWithWrksOutputWhenTheLineIsMissing() {
    assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:8100"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("unable to connect");
  }

  @Test
  void pipelinesOnlyWhenAskedAndPinsWrk() {
    var wrk = new Wrk("/usr/bin/wrk", Path.of("bench/wrk/http.lua"), "1");
    assertThat(wrk.command("http://127.0.0.1:1/plaintext", 1, 64, 20, 16))
        .startsWith("taskset", "-c", "1", "/usr/bin/wrk")
        .contains("-c64", "-d20s", "--latency")
        .endsWith("http://127.0.0.1:1/plaintext", "--", "16");
    assertThat(wrk.command("http://127.0.0.1:1/plaintext", 1, 64, 20, 1))
        .endsWith("http://127.0.0.1:1/plaintext");
  }
}
