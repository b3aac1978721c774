package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.MemoryBudget;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.Await;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that each send most of a large fragmented message and never its end (the attack that filled
 * the heap and killed the loops): past the server's memory budget the next one is closed with 1009,
 * the budget comes back when they are dropped, and an honest client is echoed after. Scaled down: a
 * 1 MiB budget instead of a quarter of the heap.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryBudgetIT {
  private static final int PART = 200 * 1024; // gathered in a 256 KiB array
  private static final int ARRAY = 256 * 1024;

  private final EventLoopGroup group = new EventLoopGroup(2, "memory-budget-it", true);
  private final MemoryBudget budget = MemoryBudget.of(4 * ARRAY);
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    var config = WebSocketConfig.builder().memoryBudget(budget).build();
    server =
        HttpServer.builder(group)
            .memoryBudget(budget)
            .get("/ws", WebSocketServer.handler(config, EchoListeners::whole))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private RawClient upgraded() throws Exception {
    var client = new RawClient(server.port());
    client.send(RawClient.upgradeRequest("/ws"));
    assertThat(client.readHead()).startsWith("HTTP/1.1 101 ");
    return client;
  }

  private static byte[] frame(int opcode, boolean fin, byte[] payload) {
    return WebSocketFrameWriter.encode(opcode, fin, false, ByteBuffer.wrap(payload), true, 7);
  }

  /** Waits, with a deadline, until the server's loops have brought the budget to {@code bytes}. */
  private static void awaitReserved(LongSupplier reserved, long bytes) {
    Await.until(
        "the budget at " + bytes + " bytes",
        Duration.ofSeconds(10),
        () -> reserved.getAsLong() == bytes);
  }

  @Test
  void unfinishedMessagesPastTheBudgetAre1009AndDroppingThemGivesItBack() throws Exception {
    List<RawClient> holding = new ArrayList<>();
    try {
      byte[] part = new byte[PART];
      for (int i = 0; i < 4; i++) {
        RawClient client = upgraded();
        client.send(frame(Opcodes.BINARY, false, part));
        holding.add(client);
        awaitReserved(budget::reservedBytes, (i + 1L) * ARRAY);
      }

      try (RawClient refused = upgraded()) {
        refused.send(frame(Opcodes.BINARY, false, part));
        byte[] head = refused.readExactly(4);
        assertThat(head[0] & 0xFF).as("FIN and Close").isEqualTo(0x88);
        assertThat(((head[2] & 0xFF) << 8) | (head[3] & 0xFF)).isEqualTo(1009);
      }
    } finally {
      for (RawClient client : holding) {
        client.close(); // Mid-message.
      }
    }
    awaitReserved(budget::reservedBytes, 0);

    try (RawClient honest = upgraded()) {
      byte[] message = new byte[2 * PART];
      Arrays.fill(message, (byte) 'h');
      honest.send(frame(Opcodes.BINARY, false, Arrays.copyOf(message, PART)));
      honest.send(frame(Opcodes.CONTINUATION, true, Arrays.copyOfRange(message, PART, 2 * PART)));
      byte[] head = honest.readExactly(10);
      assertThat(head[0] & 0xFF).as("FIN, binary").isEqualTo(0x82);
      assertThat(head[1] & 0x7F).as("64-bit length").isEqualTo(127);
      assertThat(ByteBuffer.wrap(head, 2, 8).getLong()).isEqualTo(message.length);
      assertThat(honest.readExactly(message.length)).isEqualTo(message);
    }
    awaitReserved(budget::reservedBytes, 0);
  }
}
