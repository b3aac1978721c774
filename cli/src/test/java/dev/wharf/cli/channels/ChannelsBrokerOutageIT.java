package dev.wharf.cli.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.NatsServer;
import dev.wharf.testkit.RedisServer;
import dev.wharf.testkit.RestartableBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's "broker outages: nodes reconnect with backoff, say so in the log and on the dashboard,
 * and clients recover what the broker kept", seen from outside one {@code wharf serve --channels
 * --broker URL --admin}: the broker server (Debian's redis-server, nats-server) is killed with
 * SIGKILL and started again, and meanwhile {@code /metrics} (read with curl), the dashboard's live
 * feed (what the page reads, {@code /api/live}, read with python3-websockets) and serve's log each
 * say it is down, then back. A {@code wharf sub} that stayed subscribed ends with every publication
 * in order, and a Python client that was away recovers with {@code since}.
 */
@Timeout(240)
class ChannelsBrokerOutageIT extends EndToEnd {
  /** A loaded two-core machine: a JVM client's whole run, a broker's restart and reconnect. */
  private static final Duration SLOW = Duration.ofSeconds(60);

  /**
   * Prints the broker's state from the dashboard's live feed each time it changes: "connected URL"
   * or "reconnecting URL", as the page shows it.
   */
  private static final String LIVE_STATE =
      """
      import asyncio, json, sys
      import websockets

      async def main(url):
          last = None
          async with websockets.connect(url) as ws:
              async for text in ws:
                  channels = json.loads(text).get("channels")
                  if channels is None:
                      continue
                  state = "connected" if channels["connected"] else "reconnecting"
                  if state != last:
                      print(state, channels["broker"], flush=True)
                      last = state

      asyncio.run(main(sys.argv[1]))
      """;

  @Test
  void aRedisOutageIsSaidOnMetricsTheDashboardAndTheLogAndClientsRecover() throws Exception {
    // With persistence, as the docs advise: the restarted Redis keeps the channel's history.
    try (var redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")), true)) {
      outage(redis);
    }
  }

  @Test
  void aNatsOutageIsSaidOnMetricsTheDashboardAndTheLogAndClientsRecover() throws Exception {
    try (var nats = NatsServer.start(Files.createDirectories(dir.resolve("nats")))) {
      outage(nats);
    }
  }

  private void outage(RestartableBroker broker) throws Exception {
    String name = broker.uri().toString();
    Path out = dir.resolve("serve.out");
    Child serve =
        wharf(
            Map.of(),
            null,
            out,
            serveOnLoopbackArgs(
                dir, "--quiet", "--channels", "--broker", name, "--admin", "127.0.0.1:0"));
    int port = servedPort(out, "http");
    String url = "ws://127.0.0.1:" + port + "/ws/channels";
    String admin =
        "http://127.0.0.1:"
            + awaitMatch(out, Pattern.compile("Admin dashboard on http://127\\.0\\.0\\.1:(\\d+)/"));
    awaitMatch(out, Pattern.compile("(Channels on)"));

    Path liveOut = dir.resolve("live.out");
    Path liveScript = Files.writeString(dir.resolve("live.py"), LIVE_STATE);
    peer(
        null,
        liveOut,
        "/usr/bin/python3",
        "-u",
        liveScript.toString(),
        admin.replace("http:", "ws:") + "/api/live");
    awaitMatch(liveOut, Pattern.compile("^(connected) ", Pattern.MULTILINE));

    // Stays subscribed through the outage: the node catches it up from the broker's history.
    Path subOut = dir.resolve("sub.out");
    Child sub = wharf(null, subOut, "sub", "-v", url, "news", "--count", "6");
    sub.awaitErr("news: subscribed at \\w+:0");
    // Goes away after three, and comes back after the outage with since.
    Path awayOut = dir.resolve("away.out");
    Child away = python(awayOut, "subscriber", url, "news", "6", "3");
    awaitMatch(awayOut, Pattern.compile("(subscribed) \\w+ 0"));
    publish(url, 1, 3);
    awaitMatch(awayOut, Pattern.compile("(away 3)"));
    awaitMetric(admin, 1);

    broker.kill();
    awaitMetric(admin, 0);
    awaitMatch(
        liveOut, Pattern.compile("^(reconnecting) " + Pattern.quote(name), Pattern.MULTILINE));
    var unreachable =
        serve.awaitErr(
            "^wharf: WARNING: broker "
                + Pattern.quote(name)
                + " unreachable \\(([^)]+)\\); retrying with backoff \\(0\\.1 s doubling to 5 s\\)$");
    assertThat(unreachable.group(1)).doesNotContain("Exception").doesNotContain("java.");

    broker.restart();
    awaitMetric(admin, 1);
    awaitMatch(liveOut, Pattern.compile("^reconnecting .*\\n(connected) ", Pattern.MULTILINE));
    serve.awaitErr(
        "^wharf: INFO: broker " + Pattern.quote(name) + " reconnected after \\d+\\.\\d s$");
    // One line for the outage however many attempts it took.
    assertThat(serve.errLines()).filteredOn(line -> line.contains("unreachable")).hasSize(1);

    publish(url, 4, 6);
    assertThat(sub.awaitExit(SLOW)).as("sub; stderr: %s", sub.errLines()).isZero();
    // The data as the Python publisher wrote it: {"n": 1}, ...
    assertThat(Files.readAllLines(subOut).stream().map(l -> l.replace(" ", "")))
        .containsExactly(
            "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}", "{\"n\":6}");
    line(away, "go");
    assertThat(away.awaitExit(SLOW)).isZero();
    assertThat(Files.readString(awayOut))
        .contains("recovered true", "gapless")
        .doesNotContain("FAIL");
  }

  /** Waits until /metrics says {@code wharf_broker_connected value}. */
  private static void awaitMetric(String admin, int value) {
    String sample = "\nwharf_broker_connected " + value + ".0\n";
    Await.until(
        "wharf_broker_connected " + value,
        SLOW,
        Duration.ofMillis(200),
        () -> {
          var curl = ExternalProcess.run(SLOW, "curl", "-sS", "-m", "30", admin + "/metrics");
          return curl.exit() == 0 && curl.out().contains(sample);
        });
  }

  private void publish(String url, int first, int last) throws Exception {
    Path pubOut = Files.createTempFile(dir, "pub", ".out");
    Child publisher =
        python(pubOut, "publisher", url, "news", Integer.toString(first), Integer.toString(last));
    assertThat(publisher.awaitExit(SLOW)).as("publisher: %s", publisher.errLines()).isZero();
    assertThat(Files.readString(pubOut)).contains("published " + last);
  }

  /** Starts {@code channels_peer.py args}, stdin a pipe, stdout to {@code out}. */
  private Child python(Path out, String... args) throws Exception {
    Path script = Path.of(ChannelsBrokerOutageIT.class.getResource("/channels_peer.py").toURI());
    var command = new java.util.ArrayList<>(List.of("/usr/bin/python3", "-u", script.toString()));
    command.addAll(List.of(args));
    return peer(null, out, command.toArray(String[]::new));
  }

  private static void line(Child child, String text) throws IOException {
    OutputStream in = child.process().getOutputStream();
    in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }
}
