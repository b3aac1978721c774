package dev.wharf.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf serve --admin} from outside, with real clients: /metrics read by the Prometheus
 * project's own parser (the Python client's, {@code prometheus_client.parser}) and checked line by
 * line against the text format, /api/sockets read with curl and parsed by Python's json, and the
 * listener's guard: loopback by default, elsewhere only with --auth, whose password it asks for and
 * never prints.
 */
@Timeout(180)
class AdminIT extends EndToEnd {
  private static final Duration CURL = Duration.ofSeconds(60);

  /** A line of the text format that is not a comment: name, optional labels, a float. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\""
              + ",?)*\\})? -?[0-9.eE+-]+|NaN|[+-]Inf");

  /** The served port and the admin port, once serve has said both. */
  private record Ports(int served, int admin) {}

  private Ports serveWithAdmin(String... more) throws Exception {
    Path out = Files.createTempFile(dir, "serve", ".out");
    var args =
        new java.util.ArrayList<>(
            List.of(serveOnLoopbackArgs(dir, "--quiet", "--admin", "127.0.0.1:0")));
    args.addAll(List.of(more));
    wharf(Map.of(), null, out, args.toArray(String[]::new));
    int served = servedPort(out, "http");
    int admin =
        Integer.parseInt(
            awaitMatch(out, Pattern.compile("Admin dashboard on http://127\\.0\\.0\\.1:(\\d+)/")));
    return new Ports(served, admin);
  }

  private static ExternalProcess.Result curl(String... args) throws Exception {
    var command = new java.util.ArrayList<>(List.of("curl", "-sS", "-m", "30"));
    command.addAll(List.of(args));
    var result = ExternalProcess.command(command).run(CURL);
    assertThat(result.exit()).as("curl %s: %s", command, result.err()).isZero();
    return result;
  }

  /** /usr/bin/python3 running {@code script} with {@code input} on stdin; its stdout. */
  private String python(String script, String input) throws Exception {
    Path in = Files.writeString(Files.createTempFile(dir, "python", ".in"), input);
    var result = ExternalProcess.command("/usr/bin/python3", "-c", script).input(in).run(CURL);
    assertThat(result.exit()).as("python: %s", result.err()).isZero();
    return result.out();
  }

  @Test
  void metricsAreTheTextFormatThatPrometheusOwnParserReadsAndCountWhatHappened() throws Exception {
    Files.writeString(dir.resolve("index.html"), "hello");
    Ports ports = serveWithAdmin();
    String served = "http://127.0.0.1:" + ports.served();
    curl("-o", "/dev/null", served + "/", served + "/"); // one connection, kept alive
    curl("-o", "/dev/null", served + "/missing");

    String admin = "http://127.0.0.1:" + ports.admin();
    // The counters follow the requests within a second (the byte totals once a second).
    Await.until(
        "three requests and their bytes counted",
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () -> {
          String text = curl(admin + "/metrics").out();
          return text.contains("wharf_http_requests_total{code=\"2xx\"} 2.0")
              && text.contains("wharf_http_requests_total{code=\"4xx\"} 1.0")
              && !text.contains("wharf_received_bytes_total 0.0");
        });
    var result = curl("-D", "-", admin + "/metrics");
    String[] headAndBody = result.out().split("\r\n\r\n", 2);
    assertThat(headAndBody[0])
        .containsIgnoringCase("Content-Type: text/plain; version=0.0.4; charset=utf-8");
    String exposition = headAndBody[1];

    // Strictly the text format: HELP and TYPE lines, then samples; each family declared once.
    for (String line : exposition.split("\n")) {
      if (line.startsWith("#")) {
        assertThat(line).matches("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");
      } else {
        assertThat(line).matches(SAMPLE);
      }
    }

    // And as Prometheus's own client library parses it.
    String parsed =
        python(
            """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                    print(family.type, s.name, labels, int(s.value))
            """,
            exposition);
    List<String> lines = parsed.lines().toList();
    assertThat(lines)
        .contains(
            "counter wharf_http_requests_total code=2xx 2",
            "counter wharf_http_requests_total code=4xx 1",
            "counter wharf_http_requests_total code=5xx 0",
            "gauge wharf_listeners  1");
    assertThat(lines).anyMatch(line -> line.matches("gauge wharf_connections_open  \\d+"));
    assertThat(lines)
        .anyMatch(line -> line.matches("counter wharf_connections_opened_total  [2-9]"));
    long received =
        Long.parseLong(
            lines.stream()
                .filter(line -> line.startsWith("counter wharf_received_bytes_total"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".* ", ""));
    assertThat(received).as("three requests' heads at least").isGreaterThan(3 * 40);
  }

  @Test
  void withChannelsMetricsCountSubscribersAndPublicationsAndSayTheBrokerIsConnected()
      throws Exception {
    Ports ports = serveWithAdmin("--channels");
    String url = "ws://127.0.0.1:" + ports.served() + "/ws/channels";
    Child sub = wharf(null, dir.resolve("sub.out"), "sub", "-v", url, "news");
    sub.awaitErr("news: subscribed at \\w+:0");
    Path lines = Files.writeString(dir.resolve("lines.txt"), "1\n2\n");
    Child pub = wharf(lines, dir.resolve("pub.out"), "pub", url, "news");
    assertThat(pub.awaitExit(CURL)).as("pub: %s", pub.errLines()).isZero();

    String metrics = "http://127.0.0.1:" + ports.admin() + "/metrics";
    Await.until(
        "the subscriber and both publications counted",
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () -> {
          String text = curl(metrics).out();
          return text.contains("wharf_channel_members{channel=\"news\"} 1.0")
              && text.contains("wharf_channel_publications_total{channel=\"news\"} 2.0");
        });
    String parsed =
        python(
            """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                if family.name.startswith(("wharf_channel", "wharf_broker")):
                    for s in family.samples:
                        labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                        print(family.type, s.name, labels, int(s.value))
            """,
            curl(metrics).out());
    assertThat(parsed.lines())
        .containsExactlyInAnyOrder(
            "gauge wharf_broker_connected  1",
            "gauge wharf_channel_members channel=news 1",
            "counter wharf_channel_publications_total channel=news 2");
  }

  @Test
  void theSocketTableAsJsonShowsAConnectionUntilItCloses() throws Exception {
    Ports ports = serveWithAdmin();
    String sockets = "http://127.0.0.1:" + ports.admin() + "/api/sockets";
    String remotes =
        """
        import json, sys
        table = json.load(sys.stdin)
        for l in table["listeners"]:
            print("listener", l["transport"], l["address"], l["protocol"])
        for c in table["connections"]:
            print("connection", c["remote"], c["local"], c["protocol"], c["state"], c["bytesIn"])
        """;
    int clientPort;
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", ports.served()), 10_000);
      clientPort = socket.getLocalPort();
      socket
          .getOutputStream()
          .write("GET /".getBytes(StandardCharsets.US_ASCII)); // 5 bytes, no end
      String connection =
          "connection 127.0.0.1:"
              + clientPort
              + " 127.0.0.1:"
              + ports.served()
              + " http/1.1 open 5";
      Await.until(
          "the connection and its 5 bytes in the table",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> python(remotes, curl(sockets).out()).lines().anyMatch(connection::equals));
      assertThat(python(remotes, curl(sockets).out()))
          .contains("listener tcp 127.0.0.1:" + ports.served() + " http");
    }
    Await.until(
        "the closed connection gone from the table",
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () -> !curl(sockets).out().contains("\"remote\":\"127.0.0.1:" + clientPort + "\""));
  }

  @Test
  void elsewhereThanLoopbackTheAdminListenerAsksForThePasswordAndNeverPrintsIt() throws Exception {
    Path out = Files.createTempFile(dir, "serve", ".out");
    Child serve =
        wharf(
            Map.of(),
            null,
            out,
            "serve",
            dir.toString(),
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--admin",
            "0.0.0.0:0",
            "--auth",
            "ann:s3cret-word");
    int admin =
        Integer.parseInt(
            awaitMatch(out, Pattern.compile("Admin dashboard on http://0\\.0\\.0\\.0:(\\d+)/")));
    String metrics = "http://127.0.0.1:" + admin + "/metrics";
    assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", metrics).out()).isEqualTo("401");
    assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "-u", "ann:wrong", metrics).out())
        .isEqualTo("401");
    assertThat(curl("-u", "ann:s3cret-word", metrics).out()).contains("wharf_connections_open");
    for (String page : List.of("/", "/api/sockets", "/uplot.js", "/api/live")) {
      assertThat(
              curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + admin + page)
                  .out())
          .as(page)
          .isEqualTo("401");
    }
    serve.signal("INT");
    serve.awaitExit(Duration.ofSeconds(30));
    String everything = Files.readString(out) + String.join("\n", serve.errLines());
    assertThat(everything).doesNotContain("s3cret-word");
  }

  @Test
  void aReachableAdminAddressWithoutAuthIsRefusedInOneLine() throws Exception {
    Child serve =
        wharf(
            null,
            Files.createTempFile(dir, "serve", ".out"),
            "serve",
            dir.toString(),
            "--port",
            "0",
            "--admin",
            "0.0.0.0:0");
    serve.assertExitsWith(
        2,
        "wharf serve: --admin 0.0.0.0:0 can be reached from other machines and shows every client:"
            + " add --auth USER:PASSWORD, or bind it to 127.0.0.1");
  }

  @Test
  void theDashboardAndUplotComeFromTheJar() throws Exception {
    Ports ports = serveWithAdmin();
    String admin = "http://127.0.0.1:" + ports.admin();
    String page = curl(admin + "/").out();
    assertThat(page).contains("<script src=\"uplot.js\"></script>").doesNotContain("https://");
    assertThat(curl(admin + "/uplot.js").out()).startsWith("/*! https://github.com/leeoniya/uPlot");
    assertThat(curl(admin + "/uplot.css").out()).contains(".uplot");
    assertThat(curl(admin + "/dashboard.js").out()).contains("api/live");
    assertThat(Arrays.stream(page.split("\n")).collect(Collectors.joining()))
        .contains("id=\"connections\"");
  }
}
