package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.channels.protocol.ServerMessage;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.CapturedLog;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.Await;
import dev.wharf.websocket.WebSocketClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two channels nodes in this JVM (each an HTTP server with its own broker connection) on one real
 * broker server that the subclass starts: what a channel promises across nodes, checked by offset
 * on every subscriber. Real sockets and threads throughout.
 */
@Timeout(180)
abstract class MultiNodeContract {
  static final String CHANNEL = "multi";
  static final Duration PRESENCE_TTL = Duration.ofMillis(1500);
  static final InMemoryBroker.HistoryPolicy POLICY =
      new InMemoryBroker.HistoryPolicy(10_000, Duration.ofMinutes(5));

  @TempDir Path dir;

  private EventLoopGroup serverLoops;
  private EventLoopGroup clientLoops;
  private WebSocketClient client;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Peer> peers = new ArrayList<>();

  /** A new broker connection to the test's broker server, keeping {@link #POLICY}. */
  abstract Broker connect() throws Exception;

  /** Kills the broker server (SIGKILL). */
  abstract void killBroker() throws Exception;

  /** Starts the broker server again on its port. */
  abstract void restartBroker() throws Exception;

  /** Whether the broker server as started keeps the channels' history over a kill and restart. */
  abstract boolean keepsHistoryOverRestart();

  /** One node: an HTTP server serving channels over its own broker connection. */
  record Node(Channels channels, HttpServer server, URI uri) {
    void close() {
      channels.close();
      server.close();
    }
  }

  @BeforeEach
  void startLoops() {
    serverLoops = new EventLoopGroup(2, "multi-server", true);
    clientLoops = new EventLoopGroup(2, "multi-client", true);
    client = WebSocketClient.builder(clientLoops).build();
  }

  /** Stops the broker server; called last, once no node is left to warn that it went. */
  abstract void stopBroker();

  @AfterEach
  void stopEverything() {
    peers.forEach(Peer::close);
    nodes.forEach(Node::close);
    clientLoops.close();
    serverLoops.close();
    stopBroker();
  }

  Node node() throws Exception {
    var channels = Channels.create(ChannelsConfig.DEFAULTS, connect());
    HttpServer server =
        HttpServer.builder(serverLoops)
            .get(Channels.PATH, channels.handler())
            .bind(new InetSocketAddress("127.0.0.1", 0));
    var node =
        new Node(channels, server, URI.create("ws://127.0.0.1:" + server.port() + Channels.PATH));
    nodes.add(node);
    return node;
  }

  Peer peer(Node node) throws Exception {
    Peer peer = Peer.connect(client, node.uri());
    peers.add(peer);
    return peer;
  }

  private static String data(int publisher, int i) {
    return "{\"p\":" + publisher + ",\"i\":" + i + "}";
  }

  /** Publishes {@code count} messages over a peer, one after the other. */
  private static Thread publishing(Peer publisher, int index, int from, int count) {
    return Thread.ofVirtual()
        .start(
            () -> {
              for (int i = from; i < from + count; i++) {
                try {
                  ServerMessage.Reply reply =
                      publisher.request(
                          "publish", "channel", Peer.quoted(CHANNEL), "data", data(index, i));
                  assertThat(reply.error()).as("publish %d/%d", index, i).isEmpty();
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
            });
  }

  private static List<Long> offsets(Peer peer) {
    return peer.deliveries().stream().map(d -> d.position().offset()).toList();
  }

  private static List<Long> range(long from, long to) {
    var list = new ArrayList<Long>();
    for (long i = from; i <= to; i++) {
      list.add(i);
    }
    return list;
  }

  @Test
  void everyPublicationReachesEverySubscriberOnBothNodesOnceInOffsetOrder() throws Exception {
    Node a = node();
    Node b = node();
    var subscribers = List.of(peer(a), peer(a), peer(b), peer(b));
    for (Peer s : subscribers) {
      assertThat(s.subscribe(CHANNEL, Optional.empty()).error()).isEmpty();
    }
    int each = 300;
    var threads =
        List.of(
            publishing(peer(a), 0, 0, each),
            publishing(peer(b), 1, 0, each),
            publishing(peer(a), 2, 0, each));
    for (Thread t : threads) {
      assertThat(t.join(Duration.ofSeconds(120))).isTrue();
    }
    int total = 3 * each;
    for (Peer s : subscribers) {
      Await.until("every publication on every subscriber", () -> s.deliveries().size() >= total);
    }
    for (Peer s : subscribers) {
      assertThat(offsets(s)).isEqualTo(range(1, total));
      assertThat(s.deliveries().stream().map(ServerMessage.Delivery::data).distinct().count())
          .isEqualTo(total);
      // Each publisher's messages in the order it sent them.
      for (int p = 0; p < 3; p++) {
        var expected = new ArrayList<String>();
        for (int i = 0; i < each; i++) {
          expected.add(data(p, i));
        }
        String prefix = "{\"p\":" + p + ",";
        assertThat(
                s.deliveries().stream()
                    .map(ServerMessage.Delivery::data)
                    .filter(d -> d.startsWith(prefix))
                    .toList())
            .isEqualTo(expected);
      }
    }
    // The same epoch on both nodes.
    assertThat(subscribers.stream().map(s -> s.deliveries().get(0).position().epoch()).distinct())
        .hasSize(1);
  }

  /**
   * A client that sends its publishes without waiting for each reply (as {@code wharf pub} does
   * with stdin's lines) gets offsets in the order it sent them, though the broker runs calls on
   * several threads.
   */
  @Test
  void publishesSentWithoutWaitingKeepTheirOrder() throws Exception {
    Node a = node();
    Node b = node();
    Peer subscriber = peer(b);
    assertThat(subscriber.subscribe(CHANNEL, Optional.empty()).error()).isEmpty();
    Peer publisher = peer(a);
    int count = 200;
    var replies = new ArrayList<java.util.concurrent.CompletableFuture<ServerMessage.Reply>>();
    for (int i = 0; i < count; i++) {
      replies.add(publisher.send("publish", "channel", Peer.quoted(CHANNEL), "data", data(0, i)));
    }
    for (var reply : replies) {
      assertThat(reply.get(60, java.util.concurrent.TimeUnit.SECONDS).error()).isEmpty();
    }
    Await.until("every publication delivered", () -> subscriber.deliveries().size() >= count);
    var expected = new ArrayList<String>();
    for (int i = 0; i < count; i++) {
      expected.add(data(0, i));
    }
    assertThat(subscriber.deliveries().stream().map(ServerMessage.Delivery::data).toList())
        .isEqualTo(expected);
    assertThat(offsets(subscriber)).isEqualTo(range(1, count));
  }

  @Test
  void aClientThatReconnectsToTheOtherNodeRecoversExactlyWhatItMissed() throws Exception {
    Node a = node();
    Node b = node();
    Peer away = peer(a);
    away.subscribe(CHANNEL, Optional.empty());
    Peer publisher = peer(b);
    assertThat(publishing(publisher, 0, 0, 20).join(Duration.ofSeconds(60))).isTrue();
    Await.until("the first 20", () -> away.deliveries().size() == 20);
    away.abort();
    away.closed.get(10, TimeUnit.SECONDS);
    StreamPosition last = away.lastPosition(null);
    assertThat(last.offset()).isEqualTo(20);
    // Published while it is away, on both nodes.
    assertThat(publishing(publisher, 0, 20, 15).join(Duration.ofSeconds(60))).isTrue();
    assertThat(publishing(peer(a), 0, 35, 15).join(Duration.ofSeconds(60))).isTrue();

    Peer back = peer(b);
    ServerMessage.Reply reply = back.subscribe(CHANNEL, Optional.of(last));
    assertThat(reply.recovered()).as("%s", reply.fields()).contains(true);
    assertThat(publishing(publisher, 0, 50, 10).join(Duration.ofSeconds(60))).isTrue();
    Await.until("21..60", () -> back.deliveries().size() >= 40);
    assertThat(offsets(back)).isEqualTo(range(21, 60));
    assertThat(back.deliveries().get(0).data()).isEqualTo(data(0, 20));
  }

  @Test
  void presenceSpansNodesAndADeadNodesClientsLeaveWithinTheTtl() throws Exception {
    Node a = node();
    Node b = node();
    Peer watcher = peer(a);
    watcher.subscribe(CHANNEL, Optional.empty());
    Peer onB = peer(b);
    onB.subscribe(CHANNEL, Optional.empty());
    Await.until(
        "the join from the other node",
        () -> watcher.trace().stream().anyMatch(t -> t.startsWith("J ")));
    ServerMessage.Reply present = watcher.request("presence", "channel", Peer.quoted(CHANNEL));
    assertThat(present.fields().get("clients")).contains("\"client\"");
    assertThat(countClients(present)).isEqualTo(2);

    // Node b dies: its broker connection goes without a word, then its sockets.
    long died = System.nanoTime();
    b.channels().broker().close();
    b.server().close();
    nodes.remove(b);
    Await.until(
        "the dead node's client to leave",
        () -> watcher.trace().stream().anyMatch(t -> t.startsWith("X ")));
    Duration took = Duration.ofNanos(System.nanoTime() - died);
    assertThat(took).isLessThan(PRESENCE_TTL.multipliedBy(4));
    assertThat(countClients(watcher.request("presence", "channel", Peer.quoted(CHANNEL))))
        .isEqualTo(1);
  }

  private static int countClients(ServerMessage.Reply reply) {
    String clients = reply.fields().get("clients");
    return clients.split("\"client\"", -1).length - 1;
  }

  /**
   * The broker server is killed and restarted while both nodes publish. Subscribers that are told
   * they lagged come back with {@code since}; each must end with every offset once, in order, or an
   * explicit {@code recovered:false} where the history was lost.
   */
  @Test
  void theBrokerKilledAndRestartedDuringPublishingLeavesGaplessSequencesOrRecoveredFalse()
      throws Exception {
    killAndRestartWhilePublishing(this::restartBroker, keepsHistoryOverRestart());
  }

  /**
   * Runs a test that takes the broker away: the nodes' warnings of the outage ("broker ...
   * unreachable (...); retrying with backoff ...") are expected, so they are taken here rather than
   * printed, and must have been said.
   */
  static void withBrokerOutageLogged(Step test) throws Exception {
    try (var log = CapturedLog.under("dev.wharf.channels")) {
      try {
        test.run();
      } catch (AssertionError failed) {
        // The nodes' log was taken from the output: give it back with the failure.
        failed.addSuppressed(new AssertionError("the nodes logged: " + log.messages()));
        throw failed;
      }
      assertThat(log.messages())
          .anyMatch(m -> m.contains(" unreachable (") && m.contains("; retrying"));
    }
  }

  /** A step of the test that may throw. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Kills the broker server while both nodes publish and starts it again with {@code restart};
   * {@code keepsHistory}: every subscriber must end with every offset, else with a {@code
   * recovered:false}.
   */
  void killAndRestartWhilePublishing(Step restart, boolean keepsHistory) throws Exception {
    withBrokerOutageLogged(() -> killAndRestart(restart, keepsHistory));
  }

  private void killAndRestart(Step restart, boolean keepsHistory) throws Exception {
    Node a = node();
    Node b = node();
    var subscribers = List.of(peer(a), peer(b));
    for (Peer s : subscribers) {
      assertThat(s.subscribe(CHANNEL, Optional.empty()).error()).isEmpty();
    }
    var stop = new AtomicBoolean();
    var published = new AtomicInteger();
    var publishers = new ArrayList<Thread>();
    for (Node node : List.of(a, b)) {
      publishers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    int i = 0;
                    while (!stop.get()) {
                      try {
                        node.channels()
                            .publish(CHANNEL, "{\"n\":" + i++ + "}")
                            .get(10, TimeUnit.SECONDS);
                        published.incrementAndGet();
                      } catch (Exception brokerDown) {
                        pause(50);
                      }
                    }
                  }));
    }
    var done = new AtomicBoolean();
    var recovering = new ArrayList<Thread>();
    for (Peer s : subscribers) {
      recovering.add(Thread.ofVirtual().start(() -> recoverWhenLagged(s, done)));
    }
    Await.until("publications flowing", () -> published.get() > 100);
    killBroker();
    pause(500); // an outage of half a second, not a wait for anything
    restart.run();
    int after = published.get();
    Await.within(Duration.ofSeconds(60), () -> published.get() > after + 200);
    stop.set(true);
    for (Thread t : publishers) {
      assertThat(t.join(Duration.ofSeconds(30))).isTrue();
    }
    StreamPosition top = lastPublication(a);
    for (Peer s : subscribers) {
      boolean reached =
          Await.within(
              Duration.ofSeconds(30), () -> s.lastPosition(new StreamPosition("-", 0)).equals(top));
      assertThat(reached).as("reached %s; trace ends %s", top, tail(s.trace())).isTrue();
    }
    done.set(true);
    for (Thread t : recovering) {
      assertThat(t.join(Duration.ofSeconds(30))).isTrue();
    }
    for (Peer s : subscribers) {
      checkGaplessOrToldNot(s.trace());
      if (keepsHistory) {
        assertThat(offsets(s)).isEqualTo(range(1, top.offset()));
      } else {
        assertThat(s.trace()).anyMatch(t -> t.startsWith("S ") && t.endsWith(" false"));
      }
    }
  }

  /**
   * The last publication, as both nodes see it; read again while the broker, just restarted on a
   * loaded machine, lets a request time out.
   */
  private static StreamPosition lastPublication(Node node) {
    var top = new java.util.concurrent.atomic.AtomicReference<StreamPosition>();
    Await.until(
        "the broker answering a history read",
        Duration.ofSeconds(60),
        () -> {
          try {
            top.set(
                node.channels()
                    .broker()
                    .history(CHANNEL, java.util.OptionalLong.empty(), 0)
                    .get(10, TimeUnit.SECONDS)
                    .top());
            return true;
          } catch (java.util.concurrent.ExecutionException
              | java.util.concurrent.TimeoutException notYet) {
            return false;
          }
        });
    return top.get();
  }

  /** On a lag notice, subscribes again with since (retrying while the broker is away). */
  private static void recoverWhenLagged(Peer peer, AtomicBoolean done) {
    while (!done.get()) {
      Optional<ServerMessage.Lagged> lagged = peer.takeLagged();
      if (lagged.isEmpty()) {
        pause(20);
        continue;
      }
      while (true) {
        try {
          ServerMessage.Reply reply =
              peer.subscribe(CHANNEL, Optional.of(peer.lastPosition(lagged.get().lastDelivered())));
          if (reply.error().isEmpty()
              || reply.error().get().code() == dev.wharf.channels.protocol.ErrorCode.BAD_REQUEST) {
            break; // recovered, or already subscribed by an earlier try whose reply came late
          }
        } catch (Exception e) {
          // no reply in time: try again
        }
        pause(200);
      }
    }
  }

  /**
   * Within a subscriber's trace, each delivery is the one after the last, in the same epoch, unless
   * a subscribe reply with {@code recovered false} came between them.
   */
  static void checkGaplessOrToldNot(List<String> trace) {
    String epoch = null;
    long last = -1;
    for (String line : trace) {
      String[] parts = line.split(" ", 4);
      switch (parts[0]) {
        case "S" -> {
          if (parts[3].equals("false") || parts[3].equals("null")) {
            epoch = parts[1];
            last = Long.parseLong(parts[2]);
          }
        }
        case "D" -> {
          long offset = Long.parseLong(parts[2]);
          assertThat(parts[1] + " " + offset)
              .as("after %s %d in %s", epoch, last, trace)
              .isEqualTo(epoch + " " + (last + 1));
          last = offset;
        }
        default -> {}
      }
    }
  }

  private static List<String> tail(List<String> trace) {
    var lines = trace.stream().filter(t -> !t.startsWith("D ")).toList();
    return List.of(
        "non-deliveries: " + lines,
        "last deliveries: " + trace.subList(Math.max(0, trace.size() - 5), trace.size()));
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
