package dev.wharf.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.ProcessLimits;
import dev.wharf.load.LoadPlan;
import dev.wharf.load.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code wharf bench}'s options read into a plan, without starting anything. */
class BenchCommandTest {

  private static LoadPlan plan(String... args) throws Exception {
    var command = new BenchCommand();
    new CommandLine(GeneratedModels.benchCommand(command)).parseArgs(args);
    return command.plan();
  }

  @Test
  void theDefaultsAreTenConnectionsForTenSecondsClosedLoop() throws Exception {
    LoadPlan p = plan("http://127.0.0.1:8000/");
    assertThat(p.connections()).isEqualTo(10);
    assertThat(p.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.requests()).isZero();
    assertThat(p.rate()).isZero();
    assertThat(p.method()).isEqualTo("GET");
    assertThat(p.target()).isEqualTo(new Target(Target.Scheme.HTTP, "127.0.0.1", 8000, "/"));
  }

  @Test
  void everyOptionReachesThePlan() throws Exception {
    LoadPlan p =
        plan(
            "-c",
            "64",
            "-t",
            "2",
            "-n",
            "5000",
            "--warmup",
            "500ms",
            "--rate",
            "2000",
            "--pipeline",
            "4",
            "-H",
            "X-A: 1",
            "--body",
            "hi",
            "--timeout",
            "2s",
            "-k",
            "https://example.test/x?y=1");
    assertThat(p.connections()).isEqualTo(64);
    assertThat(p.threads()).isEqualTo(2);
    assertThat(p.requests()).isEqualTo(5000);
    assertThat(p.duration()).isNull();
    assertThat(p.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(p.rate()).isEqualTo(2000);
    assertThat(p.pipeline()).isEqualTo(4);
    assertThat(p.headers()).containsExactly("X-A: 1");
    assertThat(p.method()).isEqualTo("POST"); // a body without -m
    assertThat(new String(p.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hi");
    assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.insecure()).isTrue();
    assertThat(p.target().port()).isEqualTo(443);
    assertThat(p.target().path()).isEqualTo("/x?y=1");
  }

  @Test
  void timesTakeUnits() {
    assertThat(BenchCommand.time("-d", "30", false)).isEqualTo(Duration.ofSeconds(30));
    assertThat(BenchCommand.time("-d", "1.5s", false)).isEqualTo(Duration.ofMillis(1500));
    assertThat(BenchCommand.time("-d", "2m", false)).isEqualTo(Duration.ofMinutes(2));
    assertThat(BenchCommand.time("--warmup", "0", true)).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> BenchCommand.time("-d", "0", false))
        .hasMessage("-d must be above 0 and at most a day, got 0");
    assertThatThrownBy(() -> BenchCommand.time("-d", "soon", false))
        .hasMessage("-d takes a time such as 30, 30s, 500ms or 2m, got 'soon'");
  }

  @Test
  void mistakesSayWhatIsWrong() {
    assertThatThrownBy(() -> plan("-d", "1", "-n", "2", "http://h/"))
        .hasMessage("give -d or -n, not both");
    assertThatThrownBy(() -> plan("ftp://h/"))
        .hasMessage("unsupported scheme ftp: use http, https, ws, wss or tcp");
    assertThatThrownBy(() -> plan("tcp://h")).hasMessage("tcp:// needs a port: tcp://HOST:PORT");
    assertThatThrownBy(() -> plan("-m", "PUT", "ws://h/"))
        .hasMessage("-m and --body are for http:// and https://; ws sends --size");
    assertThatThrownBy(() -> plan("-H", "x", "http://h/"))
        .hasMessage("-H takes 'Name: value', got 'x'");
  }

  @Test
  void http2ReachesThePlanWithItsStreams() throws Exception {
    LoadPlan p = plan("--http2", "--streams", "32", "https://h/");
    assertThat(p.http2()).isTrue();
    assertThat(p.pipeline()).isEqualTo(32);
    assertThat(plan("--http2", "http://h/").pipeline()).isEqualTo(1);
    assertThat(plan("http://h/").http2()).isFalse();
  }

  @Test
  void http2MistakesSayWhatIsWrong() {
    assertThatThrownBy(() -> plan("--streams", "4", "http://h/"))
        .hasMessage("--streams goes with --http2");
    assertThatThrownBy(() -> plan("--http2", "ws://h/"))
        .hasMessage("--http2 is for http:// and https:// URLs");
    assertThatThrownBy(() -> plan("--http2", "--pipeline", "4", "http://h/"))
        .hasMessage("--pipeline is HTTP/1.1's; HTTP/2 keeps --streams N in flight instead");
    assertThatThrownBy(() -> plan("--http2", "--streams", "0", "http://h/"))
        .hasMessage("--streams must be 1 to 1024, got 0");
  }

  @Test
  void holdReachesThePlanWithItsPingAndGreeting() throws Exception {
    LoadPlan p =
        plan("--hold", "--ping-every", "20s", "--send", "{\"op\":\"subscribe\"}", "ws://h/x");
    assertThat(p.hold().isOn()).isTrue();
    assertThat(p.hold().pingEvery()).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.hold().greeting()).isEqualTo("{\"op\":\"subscribe\"}");
    assertThat(plan("--hold", "ws://h/").hold().pingEvery()).isEqualTo(Duration.ofSeconds(30));
    assertThat(plan("ws://h/").hold().isOn()).isFalse();
  }

  @Test
  void holdMistakesSayWhatIsWrong() {
    assertThatThrownBy(() -> plan("--hold", "http://h/"))
        .hasMessage("--hold is for ws:// and wss:// URLs");
    assertThatThrownBy(() -> plan("--send", "x", "ws://h/"))
        .hasMessage("--ping-every and --send go with --hold");
    assertThatThrownBy(() -> plan("--hold", "--rate", "10", "ws://h/"))
        .hasMessage("--hold sends one ping at a time: no --rate or --pipeline");
    assertThatThrownBy(() -> plan("--hold", "--ping-every", "0", "ws://h/"))
        .hasMessage("--ping-every must be above 0 and at most a day, got 0");
  }

  /**
   * More connections than the descriptor limit leaves room for is one line before anything starts:
   * opening them failed part-way, and the class loading on the way out with it.
   */
  @Test
  void connectionsAreHeldBelowTheDescriptorLimit() {
    assertThat(BenchCommand.mostConnections(OptionalLong.of(20_000), 2)).isEqualTo(19_932);
    assertThat(BenchCommand.mostConnections(OptionalLong.of(100), 1)).isEqualTo(34);
    assertThat(BenchCommand.mostConnections(OptionalLong.of(50), 1)).isZero();
    assertThat(BenchCommand.mostConnections(OptionalLong.empty(), 8))
        .isEqualTo(LoadPlan.MAX_CONNECTIONS);

    long limit = ProcessLimits.openFiles().orElseThrow(); // Linux's /proc/self/limits
    assertThatThrownBy(() -> plan("-c", "1000000", "-t", "2", "http://h/"))
        .hasMessage(
            "-c 1000000 needs a descriptor for each connection, and this process may open "
                + limit
                + " (ulimit -n): at most "
                + BenchCommand.mostConnections(OptionalLong.of(limit), 2)
                + " here; for more, run several wharf bench at once");
  }

  /** A report that could not be written is told before the run, not after it. */
  @Test
  void anHtmlReportThatCannotBeWrittenIsToldBeforeTheRun(@TempDir Path dir) throws Exception {
    assertThat(plan("--html", dir.resolve("report.html").toString(), "http://h/").target().host())
        .isEqualTo("h");
    assertThatThrownBy(() -> plan("--html", dir.resolve("none/r.html").toString(), "http://h/"))
        .hasMessage("--html: no such directory: " + dir.resolve("none"));
    assertThatThrownBy(() -> plan("--html", dir.toString(), "http://h/"))
        .hasMessage("--html: " + dir + " is a directory");
  }

  @Test
  void thePlanReadsAsEnglish() throws Exception {
    assertThat(BenchText.describe(plan("-c", "1", "-t", "1", "-d", "2", "http://h/")))
        .startsWith("2.0s, 1 connection on 1 thread, GET, ");
    assertThat(BenchText.describe(plan("-c", "8", "-t", "2", "-d", "2", "http://h/")))
        .startsWith("2.0s, 8 connections on 2 threads, GET, ");
  }

  @Test
  void latenciesReadInTheirUnit() {
    assertThat(BenchText.micros(87.4)).isEqualTo("87us");
    assertThat(BenchText.micros(1250)).isEqualTo("1.25ms");
    assertThat(BenchText.micros(2_100_000)).isEqualTo("2.10s");
  }
}
