package dev.wharf.core;

import static dev.wharf.core.BlockingPeer.connect;
import static dev.wharf.core.BlockingPeer.echoes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flood of silent connections, scaled down: the server holds at most its cap, closes the idlest
 * to make room for those waiting, and an honest client is served during and after the flood.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionCapIT {
  private static final int CAP = 20;
  private static final int FLOOD = 2 * CAP;

  private final EventLoopGroup group = new EventLoopGroup(2, "cap-test", true);
  private final List<Socket> flood = new ArrayList<>();

  @AfterEach
  void shutDown() throws IOException {
    for (Socket socket : flood) {
      socket.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aFloodOfIdleConnectionsNeverTakesMoreThanTheCapAndTheIdlestMakeRoom() throws Exception {
    try (Server server =
        Server.builder(group)
            .maxConnections(CAP)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoProtocol::new)) {
      var mostHeld = new AtomicLong();
      for (int i = 0; i < FLOOD; i++) {
        // The kernel completes the handshake and queues what the server does not accept yet.
        flood.add(connect(server));
        mostHeld.accumulateAndGet(group.registry().openCount(), Math::max);
      }
      Await.until(
          "the server to hold its cap",
          () -> mostHeld.accumulateAndGet(group.registry().openCount(), Math::max) >= CAP);

      // Quiet for a second, the oldest are closed for those waiting, and then for this one.
      assertThat(echoes(server, "honest")).isTrue();
      assertThat(mostHeld.accumulateAndGet(group.registry().openCount(), Math::max))
          .isLessThanOrEqualTo(CAP);
      assertThat(server.connectionCount()).isLessThanOrEqualTo(CAP);
      assertThat(closedByServer(flood.getFirst())).isTrue();
    }
  }

  @Test
  void aDroppedFloodLeavesTheServerAnswering() throws Exception {
    try (Server server =
        Server.builder(group)
            .maxConnections(CAP)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoProtocol::new)) {
      for (int i = 0; i < FLOOD; i++) {
        flood.add(connect(server));
      }
      Await.until("the server to hold its cap", () -> server.connectionCount() >= CAP);
      for (Socket socket : flood) {
        socket.close();
      }
      assertThat(echoes(server, "after the flood")).isTrue();
      Await.until("every dropped connection closed", () -> server.connectionCount() == 0);
    }
  }

  @Test
  void theDefaultCapLeavesDescriptorsForEverythingElse() {
    assertThat(ConnectionLimit.defaultMax(20_000)).isEqualTo(15_000);
    assertThat(ConnectionLimit.defaultMax(1_024)).isEqualTo(768);
    assertThat(ConnectionLimit.defaultMax(256)).isEqualTo(128);
    assertThat(ConnectionLimit.defaultMax(1)).isEqualTo(1);
    if (System.getProperty("os.name").equals("Linux")) {
      assertThat(ProcessLimits.openFiles()).isPresent();
    }
  }

  private static boolean closedByServer(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true; // Closed without lingering: a reset is as good an answer.
    }
  }
}
