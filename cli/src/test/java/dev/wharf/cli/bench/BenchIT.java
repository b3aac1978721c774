package dev.wharf.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf bench} run for real against {@code wharf serve}: the counts agree with the server's
 * access log, WebSocket echoes go through, errors are counted by kind, and the JSON and HTML
 * reports have their shape.
 */
class BenchIT extends EndToEnd {
  private static final Pattern JSON_REQUESTS = Pattern.compile("\"requests\":(\\d+),");

  private String lastOutput = "";

  private int bench(String... args) throws Exception {
    Path out = dir.resolve("bench-" + System.nanoTime());
    var all = new ArrayList<>(List.of("bench"));
    all.addAll(List.of(args));
    Child wharf = wharf(null, out, all.toArray(String[]::new));
    int code = wharf.awaitExit(Duration.ofSeconds(150));
    lastOutput = Files.readString(out);
    return code;
  }

  private Child server;

  /** Starts {@code wharf serve} of a directory with a.txt; its access log is its stderr. */
  private int serve(Path out) throws Exception {
    Files.writeString(dir.resolve("a.txt"), "hello\n");
    server = wharf(null, out, serveOnLoopbackArgs(dir));
    return servedPort(out, "http");
  }

  /** Lines of the server's access log that name {@code needle}. */
  private long served(String needle) {
    return server.errLines().stream().filter(line -> line.contains(needle)).count();
  }

  @Test
  void nRequestsAreExactlyWhatTheServerLogs() throws Exception {
    Path log = dir.resolve("access.log");
    int port = serve(log);

    int code = bench("-n", "1000", "-c", "8", "--json", "http://127.0.0.1:" + port + "/a.txt");

    assertThat(code).as(lastOutput).isZero();
    assertThat(requests(lastOutput)).isEqualTo(1000);
    Await.until("the access log has 1000 lines", () -> served("GET /a.txt") >= 1000);
    assertThat(served("GET /a.txt")).isEqualTo(1000);
  }

  @Test
  void pipelinedRequestsAreExactlyWhatTheServerLogsToo() throws Exception {
    Path log = dir.resolve("access.log");
    int port = serve(log);

    int code =
        bench(
            "-n",
            "500",
            "-c",
            "2",
            "--pipeline",
            "8",
            "--json",
            "http://127.0.0.1:" + port + "/a.txt");

    assertThat(code).as(lastOutput).isZero();
    assertThat(requests(lastOutput)).isEqualTo(500);
    Await.until("the access log has 500 lines", () -> served("GET /a.txt") >= 500);
    assertThat(served("GET /a.txt")).isEqualTo(500);
  }

  @Test
  void http2StreamsAreExactlyWhatTheServerLogsAsHttp2() throws Exception {
    Path log = dir.resolve("access.log");
    int port = serve(log);

    int code =
        bench(
            "-n",
            "600",
            "-c",
            "2",
            "--http2",
            "--streams",
            "8",
            "--json",
            "http://127.0.0.1:" + port + "/a.txt");

    assertThat(code).as(lastOutput).isZero();
    assertThat(requests(lastOutput)).isEqualTo(600);
    assertThat(lastOutput).contains("\"protocol\":\"h2\"").contains("\"pipeline\":8");
    Await.until("the access log has 600 HTTP/2 lines", () -> served("GET /a.txt HTTP/2.0") >= 600);
    assertThat(served("GET /a.txt")).isEqualTo(600);
  }

  @Test
  void webSocketEchoesAreCountedAndTheTextReportSaysSo() throws Exception {
    int port = serve(dir.resolve("access.log"));

    int code = bench("-n", "300", "-c", "3", "-s", "1K", "ws://127.0.0.1:" + port + "/ws/echo");

    assertThat(code).as(lastOutput).isZero();
    assertThat(lastOutput)
        .contains("1024-byte messages")
        .containsPattern("requests +300 in ")
        .contains("errors     none")
        .containsPattern("client +CPU \\d+\\.\\d\\ds in \\d+\\.\\d\\ds: \\d+% of \\d threads?");
  }

  @Test
  @Timeout(300) // three JVMs (serve, bench, pub) start one after the other on a loaded machine
  void heldConnectionsGetEveryChannelsBroadcastAndNoneIsLost() throws Exception {
    Path log = dir.resolve("serve.out");
    server = wharf(null, log, serveOnLoopbackArgs(dir, "--channels"));
    int port = servedPort(log, "http");
    String url = "ws://127.0.0.1:" + port + "/ws/channels";
    Path out = dir.resolve("bench.json");
    Child bench =
        wharfHearingSigint(
            null,
            out,
            "bench",
            "--hold",
            "--ping-every",
            "1s",
            "--send",
            "{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\",\"joinLeave\":false}",
            "-c",
            "20",
            "-d",
            "5m",
            "--json",
            url);
    Await.until("20 held connections", Duration.ofSeconds(60), () -> established(port) >= 20);

    // One pub, three publications (stamped before its JVM starts: the latency is not the point).
    long micros = System.currentTimeMillis() * 1000;
    Path lines = dir.resolve("publications");
    Files.writeString(
        lines,
        ("{\"sentMicros\":" + micros + "}\n").repeat(3),
        java.nio.charset.StandardCharsets.UTF_8);
    Child pub = wharf(lines, dir.resolve("pub.out"), "pub", url, "news");
    assertThat(pub.awaitExit(Duration.ofSeconds(120))).isZero();
    bench.signal("INT");
    // Ctrl-C ends a held run: the report is written, and the JVM exits as interrupted (128 + 2).
    assertThat(bench.awaitExit(Duration.ofSeconds(60))).isEqualTo(130);
    String json = Files.readString(out);

    assertThat(json)
        .contains(
            "\"mode\":\"hold\"", "\"connections_opened\":20,", "\"connections_open_at_end\":20,")
        .contains(
            "\"errors\":{\"connect\":0,\"timeout\":0,\"reset\":0,\"closed\":0,\"protocol\":0,"
                + "\"tls\":0,\"status_4xx\":0,\"status_5xx\":0}");
    // Each publication is timed at every subscriber it reached. The subscribes went out well before
    // pub's JVM had started, so all three reach all 20; the bounds allow a first one that did not.
    long timed = number(json, "message_latency_count");
    assertThat(timed).isBetween(40L, 60L);
    assertThat(number(json, "requests")).isPositive(); // pings answered
  }

  private static long established(int port) throws java.io.IOException {
    return dev.wharf.testkit.SsListing.read().stream()
        .filter(s -> s.state().equals("ESTAB") && s.local().endsWith(":" + port))
        .count();
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void jsonHasItsWholeShapeAndStatusClassesAndTheHtmlReportIsSelfContained() throws Exception {
    int port = serve(dir.resolve("access.log"));
    Path html = dir.resolve("report.html");

    int code =
        bench(
            "-d",
            "2",
            "--warmup",
            "2", // a cold server's first answers take seconds on a loaded machine
            "-c",
            "2",
            "--json",
            "--html",
            html.toString(),
            "http://127.0.0.1:" + port + "/missing");

    assertThat(code).as(lastOutput).isZero();
    assertThat(lastOutput.strip())
        .startsWith("{\"url\":\"http://127.0.0.1:" + port + "/missing\"")
        .contains("\"mode\":\"closed\"", "\"latency_us\":{\"mean\":", "\"p99_99\":")
        .containsPattern("\"status\":\\{\"1xx\":0,\"2xx\":0,\"3xx\":0,\"4xx\":[1-9]\\d*,\"5xx\":0}")
        .containsPattern(
            "\"errors\":\\{\"connect\":0,\"timeout\":0,\"reset\":0,\"closed\":0,\"protocol\":0,"
                + "\"tls\":0,\"status_4xx\":[1-9]\\d*,\"status_5xx\":0}")
        .contains("\"timeline\":[{\"second\":0,", "\"percentiles\":[[0,")
        .containsPattern("\"client_cpu_seconds\":\\d+(\\.\\d+)?,")
        .endsWith("]}");
    String page = Files.readString(html);
    assertThat(page)
        .startsWith("<!DOCTYPE html>")
        .contains("Latency by percentile", "Throughput over time", "<svg", "<path class=\"line\"")
        .doesNotContain("<script src", "<link ", "http://cdn", "https://");
  }

  @Test
  void aClosedPortIsConnectErrorsAndExitOne() throws Exception {
    int port = closedPort();

    int code = bench("-d", "1", "-c", "2", "--timeout", "1", "http://127.0.0.1:" + port + "/");

    assertThat(code).isEqualTo(1);
    assertThat(lastOutput).containsPattern("errors +connect \\d+ \\(Connection refused\\)");
  }

  @Test
  void aRateIsHeld() throws Exception {
    int port = serve(dir.resolve("access.log"));

    int code =
        bench(
            "--rate",
            "100",
            "-c",
            "20", // each connection every 200 ms: a loaded machine's server keeps up
            "-d",
            "2",
            "--warmup",
            "2",
            "--json",
            "http://127.0.0.1:" + port + "/a.txt");

    assertThat(code).as(lastOutput).isZero();
    assertThat(lastOutput).contains("\"mode\":\"rate\"", "\"rate\":100,");
    // 100 a second for 2 s, give or take what was in flight at either end; on a loaded machine
    // answers come late (and count from their slots), so a few may miss the end.
    assertThat(requests(lastOutput)).isBetween(170L, 205L);
  }

  @Test
  @Timeout(300) // A cold JVM's first TLS handshakes take seconds on a loaded machine.
  void httpsAndWssGoThroughTlsAndAnUntrustedCertificateIsATlsError() throws Exception {
    Files.writeString(dir.resolve("a.txt"), "hello\n");
    Path log = dir.resolve("tls.log");
    // The test CA's certificate: serve's own self-signed one would first cost an RSA key.
    var certs = TestCertificates.create(Files.createDirectory(dir.resolve("certs")));
    wharf(
        null,
        log,
        serveOnLoopbackArgs(
            dir,
            "--tls",
            "--cert",
            certs.serverCert().toString(),
            "--key",
            certs.serverKey().toString()));
    int port = servedPort(log, "https");

    assertThat(
            bench(
                "-n",
                "100",
                "-c",
                "2",
                "-k",
                "--timeout",
                "60",
                "--json",
                "https://127.0.0.1:" + port + "/a.txt"))
        .as(lastOutput)
        .isZero();
    assertThat(requests(lastOutput)).isEqualTo(100);
    assertThat(
            bench(
                "-n",
                "50",
                "-c",
                "2",
                "-k",
                "--timeout",
                "60",
                "--json",
                "wss://127.0.0.1:" + port + "/ws/echo"))
        .as(lastOutput)
        .isZero();
    assertThat(requests(lastOutput)).isEqualTo(50);

    // Without -k the test CA's certificate is refused: every handshake fails, until the run gives
    // up (errors and no answer for the timeout).
    assertThat(
            bench("-n", "1", "-c", "1", "--timeout", "30", "https://127.0.0.1:" + port + "/a.txt"))
        .isEqualTo(1);
    assertThat(lastOutput).containsPattern("errors +tls \\d+ \\(TLS: ");
  }

  private static long requests(String json) {
    Matcher m = JSON_REQUESTS.matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return Long.parseLong(m.group(1));
  }
}
