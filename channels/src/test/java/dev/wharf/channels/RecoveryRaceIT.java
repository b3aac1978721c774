package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.channels.protocol.ServerMessage;
import dev.wharf.channels.protocol.ServerMessageDecoder;
import dev.wharf.channels.protocol.ServerMessages;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.Await;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketClient;
import dev.wharf.websocket.WebSocketListener;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real sockets and threads: publishers on several event loops publish to one channel while a
 * subscriber drops its connection again and again and comes back with {@code since}. Whatever the
 * interleaving, it must end up with every offset once, in order.
 */
@Timeout(120)
class RecoveryRaceIT {
  private static final int PUBLISHERS = 3;
  private static final int EACH = 400;

  /** A subscriber connection: records the deliveries' offsets, the subscribe reply, the end. */
  private static final class Recorder implements WebSocketListener {
    final List<Long> offsets = new CopyOnWriteArrayList<>();
    final CompletableFuture<ServerMessage.Reply> reply = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    long last(long before) {
      return offsets.isEmpty() ? before : offsets.get(offsets.size() - 1);
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
      closed.complete(null);
    }

    @Override
    public void onText(WebSocket ws, String text) {
      switch (ServerMessageDecoder.decode(text)) {
        case ServerMessage.Delivery d -> offsets.add(d.position().offset());
        case ServerMessage.Reply r -> reply.complete(r);
        default -> {}
      }
    }
  }

  @Test
  void aSubscriberThatKeepsReconnectingWithSinceMissesNothingAndGetsNothingTwice()
      throws Exception {
    var broker =
        new InMemoryBroker(
            new InMemoryBroker.HistoryPolicy(100_000, Duration.ofMinutes(5)), System::nanoTime);
    var channels = Channels.create(ChannelsConfig.DEFAULTS, broker);
    try (var serverLoops = new EventLoopGroup(2, "race-server", true);
        var clientLoops = new EventLoopGroup(2, "race-client", true)) {
      HttpServer server =
          HttpServer.builder(serverLoops)
              .get(Channels.PATH, channels.handler())
              .bind(new InetSocketAddress("127.0.0.1", 0));
      URI uri = URI.create("ws://127.0.0.1:" + server.port() + Channels.PATH);
      var client = WebSocketClient.builder(clientLoops).build();

      List<Long> all = new ArrayList<>();
      var first = new Recorder();
      WebSocket ws = client.connect(uri, first).get(10, TimeUnit.SECONDS);
      ws.sendText(ServerMessages.request("subscribe", "1", "channel", "\"race\""));
      String epoch = first.reply.get(10, TimeUnit.SECONDS).position().orElseThrow().epoch();

      var publishers = new ArrayList<WebSocket>();
      for (int p = 0; p < PUBLISHERS; p++) {
        publishers.add(client.connect(uri, new WebSocketListener() {}).get(10, TimeUnit.SECONDS));
      }
      var sending = new ArrayList<Thread>();
      for (WebSocket publisher : publishers) {
        sending.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      for (int i = 0; i < EACH; i++) {
                        publisher
                            .sendText(
                                ServerMessages.request(
                                    "publish",
                                    Integer.toString(i),
                                    "channel",
                                    "\"race\"",
                                    "data",
                                    "1"))
                            .join();
                      }
                    }));
      }
      // Drop and come back while the publications flow.
      Recorder current = first;
      long last = 0;
      for (int round = 0; round < 8; round++) {
        Recorder previous = current;
        Await.until(
            "a delivery on this connection, or the end of publishing",
            () -> !previous.offsets.isEmpty() || sending.stream().noneMatch(Thread::isAlive));
        ws.abort();
        previous.closed.get(10, TimeUnit.SECONDS); // nothing more is recorded on it
        all.addAll(previous.offsets);
        last = previous.last(last);
        var again = new Recorder();
        current = again;
        ws = client.connect(uri, again).get(10, TimeUnit.SECONDS);
        ws.sendText(
            ServerMessages.request(
                "subscribe",
                "1",
                "channel",
                "\"race\"",
                "since",
                ServerMessages.since(new StreamPosition(epoch, last))));
        ServerMessage.Reply reply = again.reply.get(10, TimeUnit.SECONDS);
        assertThat(reply.recovered()).as("round %d: %s", round, reply.fields()).contains(true);
      }
      for (Thread thread : sending) {
        assertThat(thread.join(Duration.ofSeconds(60))).isTrue();
      }
      long total = (long) PUBLISHERS * EACH;
      Recorder lastRecorder = current;
      Await.until("every publication", () -> all.size() + lastRecorder.offsets.size() >= total);
      all.addAll(current.offsets);
      assertThat(all).hasSize((int) total);
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i)).as("delivery %d", i).isEqualTo(i + 1L);
      }
      server.close();
    }
  }
}
