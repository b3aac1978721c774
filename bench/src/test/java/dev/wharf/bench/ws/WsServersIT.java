package dev.wharf.bench.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.bench.GeneratorWindows;
import dev.wharf.bench.http.BoundServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three WebSocket echo servers of {@code bench/run ws} echo what the benchmark's generator
 * sends, with and without permessage-deflate, small text and 64 KiB binary, and hold idle
 * connections: a short run of {@link WsLoadGen} against each, checked for errors.
 */
class WsServersIT {

  @ParameterizedTest
  @CsvSource({
    "wharf, false",
    "wharf, true",
    "netty-nio, false",
    "netty-nio, true",
    "netty-epoll, false",
    "netty-epoll, true"
  })
  void echoesTextAndBinaryMessagesToTheGenerator(String impl, boolean deflate) throws Exception {
    BoundServer server =
        WsServerMain.start(impl, new InetSocketAddress("127.0.0.1", 0), 1, deflate);
    try {
      for (List<String> load :
          List.of(
              List.of("--type", "text", "--size", "64", "--window", "4"),
              List.of("--type", "binary", "--size", "65536", "--window", "2"))) {
        var args =
            new ArrayList<>(
                List.of(
                    "echo",
                    "--port",
                    Integer.toString(server.port()),
                    "--conns",
                    "3",
                    "--warmup",
                    "0.2",
                    "--duration",
                    "0.5",
                    "--repeats",
                    "1"));
        args.addAll(load);
        if (deflate) {
          args.add("--deflate");
        }
        var lines = new ArrayList<String>();
        long errors = WsLoadGen.run(args.toArray(String[]::new), lines::add);

        assertThat(errors).as("errors, output %s", lines).isZero();
        String result =
            lines.stream().filter(l -> l.startsWith("RESULT")).findFirst().orElseThrow();
        Map<String, Double> figures = GeneratorWindows.figures(result);
        assertThat(figures.get("msgs")).as(result).isPositive();
        assertThat(GeneratorWindows.text(result, "deflate")).isEqualTo(Boolean.toString(deflate));
      }
    } finally {
      server.stop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"wharf", "netty-nio", "netty-epoll"})
  void holdsIdleConnectionsAfterOneEchoEach(String impl) throws Exception {
    BoundServer server = WsServerMain.start(impl, new InetSocketAddress("127.0.0.1", 0), 1, false);
    try {
      var lines = new ArrayList<String>();
      long errors =
          WsLoadGen.run(
              new String[] {
                "idle", "--port", Integer.toString(server.port()), "--conns", "50", "--hold", "0"
              },
              lines::add);

      assertThat(errors).isZero();
      assertThat(lines).anyMatch(l -> l.startsWith("HELD 50 "));
      assertThat(lines).last().isEqualTo("DONE");
    } finally {
      server.stop().run();
    }
  }
}
