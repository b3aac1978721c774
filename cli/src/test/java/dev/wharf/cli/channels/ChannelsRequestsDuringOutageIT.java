package dev.wharf.cli.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.NatsServer;
import dev.wharf.testkit.RedisServer;
import dev.wharf.testkit.RestartableBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What docs/channels.md promises a client while the broker is down ("Outages"), against one {@code
 * wharf serve --channels --broker URL} whose broker (Debian's redis-server, nats-server) is killed
 * with SIGKILL: publish, history, presence and a subscribe to a channel the node follows get {@code
 * unavailable} with the documented message at once; a subscribe to a channel new to the node waits,
 * and gets {@code unavailable} after the documented 20 s if the broker stays down, or its {@code
 * ok} once it is back; pings and new connections are answered throughout, and the subscription that
 * stayed open goes on after the outage. The clients are python3-websockets, each request a line on
 * stdin.
 */
@Timeout(240)
class ChannelsRequestsDuringOutageIT extends EndToEnd {
  /** A loaded two-core machine: the 20 s wait, a broker restart and the node's reconnect. */
  private static final Duration SLOW = Duration.ofSeconds(90);

  /**
   * Sends each JSON line of stdin as a request; prints "reply ID ok JSON" or "reply ID error CODE:
   * MESSAGE" for each reply and "delivery CHANNEL OFFSET" for each delivery.
   */
  private static final String CLIENT =
      """
      import asyncio, json, sys
      import websockets

      async def main(url):
          async with websockets.connect(url) as ws:
              async def read():
                  async for text in ws:
                      m = json.loads(text)
                      if "id" in m and "error" in m:
                          e = m["error"]
                          print("reply", m["id"], "error", e["code"] + ":", e["message"], flush=True)
                      elif "id" in m:
                          print("reply", m["id"], "ok", json.dumps(m), flush=True)
                      elif "offset" in m:
                          print("delivery", m["channel"], m["offset"], flush=True)
              reader = asyncio.create_task(read())
              loop = asyncio.get_running_loop()
              print("connected", flush=True)
              while line := await loop.run_in_executor(None, sys.stdin.readline):
                  await ws.send(line.strip())
              reader.cancel()

      asyncio.run(main(sys.argv[1]))
      """;

  private static final String DOWN =
      "error unavailable: the broker is unreachable; try again later";

  @Test
  void requestsGetTheDocumentedAnswersWhileRedisIsDownAndASubscribeWaitsForItsReturn()
      throws Exception {
    try (var redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")), true)) {
      outage(redis);
    }
  }

  @Test
  void requestsGetTheDocumentedAnswersWhileNatsIsDownAndASubscribeWaitsForItsReturn()
      throws Exception {
    try (var nats = NatsServer.start(Files.createDirectories(dir.resolve("nats")))) {
      outage(nats);
    }
  }

  private void outage(RestartableBroker server) throws Exception {
    String broker = server.uri().toString();
    Path serveOut = dir.resolve("serve.out");
    Child serve =
        wharf(
            null, serveOut, serveOnLoopbackArgs(dir, "--quiet", "--channels", "--broker", broker));
    String url = "ws://127.0.0.1:" + servedPort(serveOut, "http") + "/ws/channels";
    awaitMatch(serveOut, Pattern.compile("(Channels on)"));

    Path stayOut = dir.resolve("stay.out");
    Child stay = client(url, stayOut);
    send(stay, "{\"op\":\"subscribe\",\"id\":\"s1\",\"channel\":\"news\"}");
    awaitReply(stayOut, "s1", "ok");
    send(stay, "{\"op\":\"publish\",\"id\":\"p1\",\"channel\":\"news\",\"data\":1}");
    awaitReply(stayOut, "p1", "ok");
    awaitLine(stayOut, "delivery news 1");

    server.kill();
    serve.awaitErr("broker " + Pattern.quote(broker) + " unreachable");

    // A channel this node does not follow yet: the subscribe waits for the broker.
    Path waitOut = dir.resolve("wait.out");
    Child waiting = client(url, waitOut);
    send(waiting, "{\"op\":\"subscribe\",\"id\":\"w1\",\"channel\":\"later\"}");

    // The rest fail at once, with the documented message; the connection stays usable.
    send(stay, "{\"op\":\"publish\",\"id\":\"p2\",\"channel\":\"news\",\"data\":2}");
    send(stay, "{\"op\":\"history\",\"id\":\"h1\",\"channel\":\"news\"}");
    send(stay, "{\"op\":\"presence\",\"id\":\"r1\",\"channel\":\"news\"}");
    send(stay, "{\"op\":\"ping\",\"id\":\"g1\"}");
    assertThat(awaitReply(stayOut, "p2", "error")).isEqualTo(DOWN);
    assertThat(awaitReply(stayOut, "h1", "error")).isEqualTo(DOWN);
    assertThat(awaitReply(stayOut, "r1", "error")).isEqualTo(DOWN);
    assertThat(awaitReply(stayOut, "g1", "ok")).isEqualTo("ok {\"id\": \"g1\", \"ok\": true}");
    // A connection made during the outage: answered, and a subscribe to a channel the node
    // follows (it needs the history) gets unavailable at once.
    Path newOut = dir.resolve("new.out");
    Child fresh = client(url, newOut);
    send(fresh, "{\"op\":\"ping\",\"id\":\"g2\"}");
    awaitReply(newOut, "g2", "ok");
    send(fresh, "{\"op\":\"subscribe\",\"id\":\"s2\",\"channel\":\"news\"}");
    assertThat(awaitReply(newOut, "s2", "error")).isEqualTo(DOWN);

    // wharf pub: its refusal is one line and exit 1 (docs/cli.md).
    Child pub = wharf(null, dir.resolve("pub.out"), "pub", url, "news", "5");
    assertThat(pub.awaitExit(SLOW)).as("pub; stderr: %s", pub.errLines()).isEqualTo(1);
    assertThat(pub.errLines())
        .containsExactly(
            "wharf pub: news: unavailable: the broker is unreachable; try again later");

    // The broker stays down: the waiting subscribe ends after the documented 20 s, not never.
    assertThat(awaitReply(waitOut, "w1", "error"))
        .isEqualTo("error unavailable: the broker did not answer within 20 s; try again later");

    // The broker comes back while a subscribe waits: it ends with its ok.
    send(waiting, "{\"op\":\"subscribe\",\"id\":\"w2\",\"channel\":\"later\"}");
    server.restart();
    assertThat(awaitReply(waitOut, "w2", "ok")).contains("\"offset\": 0");
    serve.awaitErr("broker " + Pattern.quote(broker) + " reconnected after");

    // The subscription that stayed open goes on where it was; the new one gets its channel.
    send(stay, "{\"op\":\"publish\",\"id\":\"p3\",\"channel\":\"news\",\"data\":3}");
    assertThat(awaitReply(stayOut, "p3", "ok")).contains("\"offset\": 2");
    awaitLine(stayOut, "delivery news 2");
    send(stay, "{\"op\":\"publish\",\"id\":\"p4\",\"channel\":\"later\",\"data\":4}");
    awaitReply(stayOut, "p4", "ok");
    awaitLine(waitOut, "delivery later 1");

    // The outage is one line of the log; the failed requests added none (no class names).
    assertThat(serve.errLines()).filteredOn(l -> l.contains("unreachable")).hasSize(1);
    assertThat(serve.errLines()).noneMatch(l -> l.contains("broker call failed"));
    assertThat(serve.errLines()).noneMatch(l -> l.contains("Exception"));
  }

  private Child client(String url, Path out) throws IOException {
    Path script = dir.resolve("client.py");
    if (!Files.exists(script)) {
      Files.writeString(script, CLIENT);
    }
    Child client = peer(null, out, "/usr/bin/python3", "-u", script.toString(), url);
    awaitLine(out, "connected");
    return client;
  }

  private static void send(Child client, String request) throws IOException {
    OutputStream in = client.process().getOutputStream();
    in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Waits for the reply to {@code id}, of this kind ("ok" or "error"); returns it from kind on. */
  private static String awaitReply(Path out, String id, String kind) {
    return awaitLine(out, "reply " + id + " " + kind).substring(("reply " + id + " ").length());
  }

  /** Waits (longer than {@link #awaitMatch}: the test's 20 s wait) for a line starting so. */
  private static String awaitLine(Path out, String start) {
    Pattern pattern = Pattern.compile("^" + Pattern.quote(start) + ".*$", Pattern.MULTILINE);
    String[] found = new String[1];
    Await.until(
        "a line '" + start + "' in " + out,
        SLOW,
        Duration.ofMillis(100),
        () -> {
          try {
            Matcher m =
                pattern.matcher(
                    Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "");
            if (m.find()) {
              found[0] = m.group();
            }
            return found[0] != null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return found[0];
  }
}
