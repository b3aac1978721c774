package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.websocket.codec.CloseCodes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A peer that completes the handshake and then reads nothing, while the server sends as fast as it
 * can without waiting: the bytes held for it stay bounded, and the configured policy applies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowConsumerIT {
  private static final int LIMIT = 1 << 20;
  private final EventLoopGroup group = new EventLoopGroup(1, "slow-consumer-it", true);

  @AfterEach
  void stop() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @ParameterizedTest
  @EnumSource(SlowConsumerPolicy.class)
  void aPeerThatStopsReadingIsHeldToTheLimit(SlowConsumerPolicy policy) throws Exception {
    var failure = new CompletableFuture<SlowConsumerException>();
    var closed = new CompletableFuture<Integer>();
    var mostBuffered = new AtomicLong();
    var config =
        WebSocketConfig.builder()
            .maxOutboundBytes(LIMIT)
            .slowConsumerPolicy(policy)
            .closeTimeout(Duration.ofSeconds(1))
            .build();
    WebSocketListener flooder =
        new WebSocketListener() {
          @Override
          public void onOpen(WebSocket ws) {
            Thread.ofVirtual().start(() -> flood(ws));
          }

          private void flood(WebSocket ws) {
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            // Bounded: 64 MiB at most, far past what the peer's buffers and the limit hold.
            for (int i = 0; i < 1024 && !failure.isDone(); i++) {
              ws.sendBinary(chunk.duplicate())
                  .whenComplete(
                      (ok, error) -> {
                        if (error instanceof SlowConsumerException slow) {
                          failure.complete(slow);
                        }
                      });
              mostBuffered.accumulateAndGet(ws.bufferedBytes(), Math::max);
            }
          }

          @Override
          public void onClose(WebSocket ws, int code, String reason) {
            closed.complete(code);
          }
        };
    try (var server =
            HttpServer.builder(group)
                .get("/feed", WebSocketServer.handler(config, () -> flooder))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var peer = new RawClient(server.port(), 16 * 1024)) {
      peer.send(RawClient.upgradeRequest("/feed"));
      SlowConsumerException slow = failure.get(30, TimeUnit.SECONDS);
      assertThat(slow.policy()).isEqualTo(policy);
      // The limit, plus at most one message and the transport's high watermark.
      assertThat(mostBuffered.get()).isLessThan(LIMIT + 2 * 64 * 1024 + 64 * 1024);
      if (policy == SlowConsumerPolicy.CLOSE) {
        // Our Close (1008) cannot reach a peer that does not read: the close timeout ends it.
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.ABNORMAL);
      } else {
        assertThat(closed).isNotDone();
      }
    }
  }
}
