package dev.wharf.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.ExternalProcess;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A held WebSocket load (C10K mode) against python3-websockets: pings answered by pongs, the
 * greeting sent once, a stamped broadcast timed, and a server that closes held connections counted
 * as lost.
 */
@Timeout(90)
class LoadHoldIT {
  private static final Duration GENEROUS = Duration.ofSeconds(30);
  private ExternalProcess server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private String startServer(int expected) throws Exception {
    server =
        ExternalProcess.start(
            List.of("/usr/bin/python3", script().toString(), String.valueOf(expected)));
    return "ws://127.0.0.1:" + server.awaitLine(GENEROUS).strip() + "/";
  }

  private static Path script() throws URISyntaxException {
    return Path.of(LoadHoldIT.class.getResource("/broadcast_server.py").toURI());
  }

  private static LoadPlan held(String url, int connections, Duration duration, String greeting) {
    return LoadPlan.of(Target.parse(url), connections, duration)
        .withHold(LoadPlan.Hold.pinging(Duration.ofMillis(200), greeting));
  }

  @Test
  void heldConnectionsPingAndTimeAStampedBroadcast() throws Exception {
    String url = startServer(20);
    LoadReport report =
        new LoadTest(held(url, 20, Duration.ofSeconds(3), "hello")).run(LoadTest.Progress.NONE);

    assertThat(report.errorCount())
        .as("errors %s %s", report.errors(), report.firstErrors())
        .isZero();
    assertThat(report.connectionsOpened()).isEqualTo(20);
    assertThat(report.connectionsOpenAtEnd()).isEqualTo(20);
    // Every connection pinged several times in 3 s at one ping per 200 ms, each answered.
    assertThat(report.requests()).isGreaterThanOrEqualTo(20);
    // Each got the reply to its greeting and the broadcast; only the broadcast is stamped.
    assertThat(report.messages()).isEqualTo(40);
    assertThat(report.messageLatency().count()).isEqualTo(20);
    assertThat(report.messageLatency().max()).isLessThan(GENEROUS.toNanos() / 1e3);
  }

  @Test
  void aServerThatClosesHeldConnectionsLosesThemAndTheReportSaysSo() throws Exception {
    String url = startServer(1000);
    LoadReport report =
        new LoadTest(held(url, 5, Duration.ofSeconds(2), "bye")).run(LoadTest.Progress.NONE);

    assertThat(report.errors(ErrorKind.CLOSED)).isGreaterThanOrEqualTo(5);
    assertThat(report.connectionsOpened()).isGreaterThan(5); // each came back, and lost again
  }

  @Test
  void holdIsForWebSocketsOnly() {
    var plan = LoadPlan.of(Target.parse("http://127.0.0.1:1/"), 1, Duration.ofSeconds(1));
    assertThatThrownBy(() -> plan.withHold(LoadPlan.Hold.pinging(Duration.ofSeconds(1), "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("holding connections is for ws:// and wss:// only");
  }
}
