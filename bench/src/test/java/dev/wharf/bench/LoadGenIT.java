package dev.wharf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EchoProtocol;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Server;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TCP echo generator against core's echo server on loopback: echo (ping-pong and pipelined,
 * small and large messages), accept and idle each finish without errors and print the lines the
 * runner reads.
 */
@Timeout(60)
class LoadGenIT {
  private EventLoopGroup group;
  private Server server;

  @BeforeEach
  void startEchoServer() throws Exception {
    group = new EventLoopGroup(1, "load-gen-it", false);
    server = Server.builder(group).bind(new InetSocketAddress("127.0.0.1", 0), EchoProtocol::new);
  }

  @AfterEach
  void stopEchoServer() {
    server.close();
    group.close();
  }

  private List<String> run(String... args) throws Exception {
    var all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--port",
            Integer.toString(server.port()),
            "--warmup",
            "0.2",
            "--duration",
            "0.5",
            "--repeats",
            "2"));
    var lines = new ArrayList<String>();
    long errors = LoadGen.run(all.toArray(String[]::new), lines::add);
    assertThat(errors).as("errors, output %s", lines).isZero();
    return lines;
  }

  @ParameterizedTest
  @CsvSource({"64, 1", "64, 16", "16384, 4"})
  void echoKeepsItsWindowInFlightAndChecksEveryByte(int size, int window) throws Exception {
    List<String> lines = run("echo", "--conns", "3", "--size", "" + size, "--window", "" + window);

    assertThat(lines.getFirst())
        .isEqualTo("PHASE warmup 0s conns=3 size=" + size + " window=" + window);
    List<String> results = lines.stream().filter(l -> l.startsWith("RESULT")).toList();
    assertThat(results).hasSize(2);
    for (String result : results) {
      assertThat(result)
          .startsWith("RESULT mode=echo rep=")
          .contains(" conns=3 size=" + size + " window=" + window + " secs=")
          .contains(" p99us=")
          .endsWith(" errors=0");
      var figures = GeneratorWindows.figures(result);
      assertThat(figures.get("msgs")).as(result).isPositive();
      assertThat(figures.get("mbPerSec")).as(result).isPositive();
    }
    assertThat(lines)
        .contains("MEASURE_START 1", "MEASURE_START 2")
        .last()
        .isEqualTo("DONE errors=0");
  }

  @Test
  void acceptCountsConnectionsThatEchoedTheirByte() throws Exception {
    List<String> lines = run("accept", "--concurrency", "4");

    String result = lines.stream().filter(l -> l.startsWith("RESULT")).findFirst().orElseThrow();
    assertThat(result).startsWith("RESULT mode=accept rep=1 concurrency=4 secs=");
    assertThat(GeneratorWindows.figures(result).get("conns")).as(result).isPositive();
    assertThat(GeneratorWindows.figures(result)).containsKey("connsPerSec");
  }

  @Test
  void idleHoldsItsConnectionsAfterOneEchoEach() throws Exception {
    List<String> lines = run("idle", "--conns", "20", "--hold", "0");

    assertThat(lines).anyMatch(l -> l.startsWith("HELD 20 in "));
    assertThat(lines).last().isEqualTo("DONE");
  }
}
