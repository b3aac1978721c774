package dev.wharf.cli.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.NatsServer;
import dev.wharf.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf serve --channels} with clients nobody here wrote (python3-websockets, through {@code
 * channels_peer.py}), and {@code wharf sub} and {@code wharf pub} between themselves.
 */
@Timeout(180)
class ChannelsIT extends EndToEnd {
  /** A JVM client's whole run on a loaded two-core machine: start, connect, publish, close. */
  private static final java.time.Duration SLOW = java.time.Duration.ofSeconds(60);

  private static Path script() throws Exception {
    return Path.of(ChannelsIT.class.getResource("/channels_peer.py").toURI());
  }

  /** Starts {@code channels_peer.py args}, stdin a pipe, stdout to {@code out}. */
  private Child python(Path out, String... args) throws Exception {
    var command = new ArrayList<>(List.of("/usr/bin/python3", "-u", script().toString()));
    command.addAll(List.of(args));
    return peer(null, out, command.toArray(String[]::new));
  }

  /** Starts serve with channels on a free loopback port; returns the endpoint's URL. */
  private String serveChannels(String... more) throws Exception {
    var args = new ArrayList<>(List.of("--channels", "--quiet"));
    args.addAll(List.of(more));
    Path out = dir.resolve("serve-" + System.nanoTime() + ".out");
    int port = serveOnLoopback(out, Map.of(), dir, args.toArray(String[]::new));
    String url = "ws://127.0.0.1:" + port + "/ws/channels";
    assertThat(awaitMatch(out, Pattern.compile("(Channels on " + Pattern.quote(url) + ")")))
        .isNotNull();
    return url;
  }

  private static void line(Child child, String text) throws IOException {
    OutputStream in = child.process().getOutputStream();
    in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void aPythonClientRecoversExactlyWhatItMissedWhileAway() throws Exception {
    String url = serveChannels();
    Path subOut = dir.resolve("sub.out");
    Child subscriber = python(subOut, "subscriber", url, "seq", "40", "10");
    awaitMatch(subOut, Pattern.compile("(subscribed) \\w+ 0"));
    Path pubOut = dir.resolve("pub.out");
    assertThat(python(pubOut, "publisher", url, "seq", "1", "25").awaitExit(SLOW)).isZero();
    awaitMatch(subOut, Pattern.compile("(away 10)"));
    // While it is away: 11..25 were published already; these too.
    Path pubOut2 = dir.resolve("pub2.out");
    assertThat(python(pubOut2, "publisher", url, "seq", "26", "30").awaitExit(SLOW)).isZero();
    line(subscriber, "go");
    awaitMatch(subOut, Pattern.compile("(recovered true)"));
    Path pubOut3 = dir.resolve("pub3.out");
    assertThat(python(pubOut3, "publisher", url, "seq", "31", "40").awaitExit(SLOW)).isZero();
    assertThat(subscriber.awaitExit(SLOW)).isZero();
    String got = read(subOut);
    assertThat(got).contains("gapless").doesNotContain("FAIL");
    // The data as published: {"n": offset} (one publisher, in order).
    assertThat(got).contains("delivery 17 {\"n\": 17}");
  }

  /**
   * Two serve processes on one broker: what is published on one reaches a subscriber on the other,
   * and the other's history holds it.
   */
  private void twoNodesShareAChannel(URI broker) throws Exception {
    String first = serveChannels("--broker", broker.toString());
    String second = serveChannels("--broker", broker.toString());
    Path subOut = dir.resolve("sub.out");
    Child sub = wharf(null, subOut, "sub", "-v", first, "news", "--jsonl", "--count", "3");
    sub.awaitErr("news: subscribed at \\w+:0");
    Path lines = Files.writeString(dir.resolve("lines.txt"), "1\n2\n3\n");
    assertThat(wharf(lines, dir.resolve("pub.out"), "pub", second, "news").awaitExit(SLOW))
        .isZero();
    assertThat(sub.awaitExit(SLOW)).isZero();
    List<String> deliveries = read(subOut).lines().toList();
    assertThat(deliveries).hasSize(3);
    String epoch = deliveries.get(0).replaceAll(".*\"epoch\":\"(\\w+)\".*", "$1");
    for (int i = 0; i < 3; i++) {
      assertThat(deliveries.get(i))
          .isEqualTo(
              "{\"channel\":\"news\",\"epoch\":\""
                  + epoch
                  + "\",\"offset\":"
                  + (i + 1)
                  + ",\"data\":"
                  + (i + 1)
                  + "}");
    }
    Path sinceOut = dir.resolve("since.out");
    Child since =
        wharf(null, sinceOut, "sub", second, "news", "--since", epoch + ":1", "--count", "2");
    assertThat(since.awaitExit(SLOW)).isZero();
    assertThat(read(sinceOut).lines()).containsExactly("2", "3");
  }

  @Test
  void twoServeNodesOnOneRedisShareAChannelAndItsHistory() throws Exception {
    try (var redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")))) {
      twoNodesShareAChannel(redis.uri());
    }
  }

  @Test
  void twoServeNodesOnOneNatsShareAChannelAndItsHistory() throws Exception {
    try (var nats = NatsServer.start(Files.createDirectories(dir.resolve("nats")))) {
      twoNodesShareAChannel(nats.uri());
    }
  }

  @Test
  void aBrokerThatIsNotThereIsOneLineAndExit1() throws Exception {
    int port = closedPort();
    for (String scheme : List.of("redis", "nats")) {
      Child serve =
          wharf(
              null,
              dir.resolve(scheme + ".out"),
              "serve",
              dir.toString(),
              "--bind",
              "127.0.0.1",
              "--port",
              "0",
              "--channels",
              "--broker",
              scheme + "://127.0.0.1:" + port);
      assertThat(serve.awaitExit(SLOW)).isEqualTo(1);
      assertThat(serve.errLines()).hasSize(1);
      assertThat(serve.errLines().get(0)).startsWith("wharf serve: ").contains("127.0.0.1:" + port);
    }
  }

  @Test
  void malformedRequestsGetTheirDocumentedErrorsAndTheConnectionGoesOn() throws Exception {
    String url = serveChannels();
    Path out = dir.resolve("malformed.out");
    assertThat(python(out, "malformed", url).awaitExit(SLOW)).isZero();
    assertThat(read(out).lines())
        .containsExactly(
            "not-json bad_request -",
            "array bad_request -",
            "unknown-op bad_request 7",
            "no-id bad_request -",
            "bad-channel bad_request 8",
            "no-data bad_request 9",
            "duplicate-key bad_request -",
            "deep bad_request -",
            "too-large limit_exceeded 11",
            "binary bad_request -",
            "ping ok");
  }

  /** 1000 publications of 10 KB: more than a reader that stopped reading lets through. */
  private Path bigLines() throws IOException {
    var lines = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      lines.append('"').append(i).append("x".repeat(10_000)).append("\"\n");
    }
    return Files.writeString(dir.resolve("big.txt"), lines);
  }

  @Test
  void aSlowConsumerIsClosedWith1008() throws Exception {
    String url = serveChannels("--channels-queue", "64K");
    Path out = dir.resolve("slow.out");
    Child slow = python(out, "slow", url, "big");
    awaitMatch(out, Pattern.compile("(subscribed)"));
    assertThat(wharf(bigLines(), dir.resolve("pub.out"), "pub", url, "big").awaitExit(SLOW))
        .isZero();
    line(slow, "go");
    assertThat(slow.awaitExit(SLOW)).isZero();
    assertThat(read(out)).contains("closed 1008 slow consumer: more than 65536 bytes queued");
  }

  @Test
  void aLaggingConsumerIsToldWhereItLaggedAndKeepsItsConnection() throws Exception {
    String url = serveChannels("--channels-queue", "64K", "--channels-slow-consumer", "lag");
    Path out = dir.resolve("slow.out");
    Child slow = python(out, "slow", url, "big");
    awaitMatch(out, Pattern.compile("(subscribed)"));
    assertThat(wharf(bigLines(), dir.resolve("pub.out"), "pub", url, "big").awaitExit(SLOW))
        .isZero();
    line(slow, "go");
    String lagged = awaitMatch(out, Pattern.compile("lagged (\\d+)"));
    List<String> deliveries = read(out).lines().filter(l -> l.startsWith("delivery ")).toList();
    // Every delivery before the notice, in order, and the notice names the last of them.
    assertThat(deliveries).hasSize(Integer.parseInt(lagged));
    for (int i = 0; i < deliveries.size(); i++) {
      assertThat(deliveries.get(i)).isEqualTo("delivery " + (i + 1));
    }
    assertThat(read(out)).doesNotContain("closed");
  }

  @Test
  void subPrintsWhatPubPublishes() throws Exception {
    String url = serveChannels("--channels-max-message", "200");
    Path subOut = dir.resolve("sub.out");
    Child sub = wharf(null, subOut, "sub", "-v", url, "news", "other", "--count", "5");
    sub.awaitErr("other: subscribed at \\w+:0");
    sub.awaitErr("news: subscribed at \\w+:0");
    Path pubOut = dir.resolve("pub.out");
    Path lines =
        Files.writeString(dir.resolve("lines.txt"), "plain text\n{\"a\": [1, 2.50]}\n\"quoted\"\n");
    assertThat(wharf(null, pubOut, "pub", url, "other", "first").awaitExit(SLOW)).isZero();
    awaitMatch(subOut, Pattern.compile("^(first)$", Pattern.MULTILINE));
    assertThat(wharf(lines, pubOut, "pub", url, "news").awaitExit(SLOW)).isZero();
    assertThat(wharf(null, pubOut, "pub", url, "news", "42").awaitExit(SLOW)).isZero();
    assertThat(sub.awaitExit(SLOW)).isZero();
    assertThat(read(subOut).lines())
        .containsExactly("first", "plain text", "{\"a\": [1, 2.50]}", "quoted", "42");

    Child refused = wharf(null, pubOut, "pub", url, "news", "x".repeat(300));
    assertThat(refused.awaitExit(SLOW)).isEqualTo(1);
    assertThat(refused.errLines())
        .containsExactly("wharf pub: news: limit_exceeded: message of more than 200 bytes");
  }

  /**
   * {@code wharf sub URL news | head -1}: once the reader is gone, the next delivery's write fails
   * and sub ends quietly (it went on subscribed for ever, printing into a closed pipe).
   */
  @Test
  void subEndsQuietlyAtItsFirstWriteAfterStdoutCloses() throws Exception {
    String url = serveChannels();
    Child sub = wharf(null, null, "sub", "-v", url, "news");
    sub.awaitErr("news: subscribed at \\w+:0");
    Path pubOut = dir.resolve("pub.out");
    assertThat(wharf(null, pubOut, "pub", url, "news", "first").awaitExit(SLOW)).isZero();
    try (var stdout =
        new BufferedReader(
            new InputStreamReader(sub.process().getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(stdout.readLine()).isEqualTo("first");
    }
    // A delivery sub writes into the closed pipe.
    assertThat(wharf(null, pubOut, "pub", url, "news", "second").awaitExit(SLOW)).isZero();
    assertThat(sub.awaitExit(SLOW)).isZero();
    assertThat(sub.errLines()).singleElement().asString().contains("news: subscribed at");
  }

  @Test
  void subPrintsWholeDeliveriesWithJsonlAndRecoversWithSince() throws Exception {
    String url = serveChannels();
    Path pubOut = dir.resolve("pub.out");
    Path lines = Files.writeString(dir.resolve("lines.txt"), "1\n2\n3\n");
    assertThat(wharf(lines, pubOut, "pub", url, "news").awaitExit(SLOW)).isZero();
    Path first = dir.resolve("first.out");
    Child all = wharf(null, first, "sub", "-v", url, "news", "--jsonl", "--count", "1");
    all.awaitErr("news: subscribed at \\w+:3");
    assertThat(wharf(null, pubOut, "pub", url, "news", "4").awaitExit(SLOW)).isZero();
    assertThat(all.awaitExit(SLOW)).isZero();
    String delivery = read(first).strip();
    assertThat(delivery)
        .matches("\\{\"channel\":\"news\",\"epoch\":\"\\w+\",\"offset\":4,\"data\":4}");
    String epoch = delivery.replaceAll(".*\"epoch\":\"(\\w+)\".*", "$1");
    Path second = dir.resolve("second.out");
    Child since = wharf(null, second, "sub", url, "news", "--since", epoch + ":1", "--count", "3");
    assertThat(since.awaitExit(SLOW)).isZero();
    assertThat(read(second).lines()).containsExactly("2", "3", "4");
  }

  @Test
  void subSaysWhenItCannotRecoverAfterTheServerLostItsHistory() throws Exception {
    int port = closedPort();
    String url = "ws://127.0.0.1:" + port + "/ws/channels";
    Path serveOut = dir.resolve("serve1.out");
    Child server =
        wharf(
            null,
            serveOut,
            "serve",
            dir.toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--channels",
            "--quiet");
    awaitMatch(serveOut, Pattern.compile("(Channels on)"));
    Path subOut = dir.resolve("sub.out");
    Child sub = wharf(null, subOut, "sub", "-v", url, "news", "--count", "2");
    sub.awaitErr("news: subscribed at \\w+:0");
    Path pubOut = dir.resolve("pub.out");
    assertThat(wharf(null, pubOut, "pub", url, "news", "before").awaitExit(SLOW)).isZero();
    awaitMatch(subOut, Pattern.compile("^(before)$", Pattern.MULTILINE));
    server.end();
    sub.awaitErr("connection lost");
    Path serveOut2 = dir.resolve("serve2.out");
    wharf(
        null,
        serveOut2,
        "serve",
        dir.toString(),
        "--port",
        Integer.toString(port),
        "--bind",
        "127.0.0.1",
        "--channels",
        "--quiet");
    awaitMatch(serveOut2, Pattern.compile("(Channels on)"));
    sub.awaitErr("news: could not recover what was missed: the channel's history was lost");
    assertThat(wharf(null, pubOut, "pub", url, "news", "after").awaitExit(SLOW)).isZero();
    assertThat(sub.awaitExit(SLOW)).isZero();
    assertThat(read(subOut).lines()).containsExactly("before", "after");
  }

  @Test
  void pubAndSubRefuseBadArgumentsInOneLine() throws Exception {
    Child pub = wharf(null, dir.resolve("o"), "pub", "ftp://x", "news", "1");
    assertThat(pub.awaitExit(SLOW)).isEqualTo(2);
    assertThat(pub.errLines())
        .containsExactly(
            "wharf pub: expected a ws:// or wss:// URL (as ws://127.0.0.1:8000), got ftp://x");
    Child sub = wharf(null, dir.resolve("o2"), "sub", "ws://127.0.0.1:" + closedPort(), "news");
    assertThat(sub.awaitExit(SLOW)).isEqualTo(1);
    assertThat(sub.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf sub: cannot connect to ws://127.0.0.1:");
  }
}
