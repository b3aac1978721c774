package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A thousand clients at once each echo a MiB through one server; every byte must come back in order
 * (checked by CRC-32C per client). The clients are plain blocking JDK sockets on virtual threads,
 * so the server is not tested by itself.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ManyClientsEchoIT {
  private static final int CLIENTS = 1000;
  private static final int BYTES_EACH = 1 << 20;

  private final EventLoopGroup group = new EventLoopGroup(2, "echo", true);

  @AfterEach
  void shutDown() {
    group.shutdownGracefully(Duration.ofSeconds(5)).join();
  }

  @Test
  void thousandConcurrentClientsEachEchoAMebibyte() throws Exception {
    var server =
        Server.builder(group)
            .options(SocketOptions.DEFAULTS.withBacklog(CLIENTS))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoProtocol::new);
    byte[] base = new byte[BYTES_EACH];
    new Random(11).nextBytes(base);

    List<CompletableFuture<long[]>> results = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      int client = i;
      var result = new CompletableFuture<long[]>();
      results.add(result);
      Thread.ofVirtual().name("client-" + i).start(() -> runClient(server, base, client, result));
    }

    for (int i = 0; i < CLIENTS; i++) {
      long[] sentAndReceived = results.get(i).get(150, TimeUnit.SECONDS);
      assertThat(sentAndReceived[1]).as("checksum of client %d", i).isEqualTo(sentAndReceived[0]);
    }
    Await.until("server connections closed", () -> group.registry().openCount() == 0);
    assertThat(group.registry().totalCount()).isEqualTo(CLIENTS);
  }

  private static void runClient(
      Server server, byte[] base, int client, CompletableFuture<long[]> result) {
    try (SocketChannel socket = SocketChannel.open(server.localAddress())) {
      // Each client sends a different rotation of the same random bytes.
      int offset = (client * 7919) % base.length;
      var sentCrc = new CRC32C();
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      ByteBuffer first = ByteBuffer.wrap(base, offset, base.length - offset);
                      ByteBuffer second = ByteBuffer.wrap(base, 0, offset);
                      sentCrc.update(first.duplicate());
                      sentCrc.update(second.duplicate());
                      while (first.hasRemaining()) {
                        socket.write(first);
                      }
                      while (second.hasRemaining()) {
                        socket.write(second);
                      }
                      socket.shutdownOutput();
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
      var receivedCrc = new CRC32C();
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      long received = 0;
      while (received <= BYTES_EACH) {
        int n = socket.read(in.clear());
        if (n < 0) {
          break;
        }
        received += n;
        receivedCrc.update(in.flip());
      }
      writer.join();
      if (received != BYTES_EACH) {
        throw new AssertionError("client " + client + " got " + received + " bytes");
      }
      result.complete(new long[] {sentCrc.getValue(), receivedCrc.getValue()});
    } catch (Throwable t) {
      result.completeExceptionally(t);
    }
  }
}
