package dev.wharf.core;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broadcast as the channels module makes one: one task hands every connection of a loop a task of
 * its own that writes one message. The loop flushes every {@link EventLoop#FLUSH_BATCH} connections
 * with output rather than after all the tasks, so the write segments held at once stay about that
 * many, whatever the number of connections; and every client gets its message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BroadcastFlushIT {
  private static final int CLIENTS = 300;
  private static final byte[] MESSAGE = "a broadcast to every client\n".getBytes(US_ASCII);

  private final EventLoopGroup group = new EventLoopGroup(1, "broadcast-flush", true);
  private final List<SocketChannel> clients = new ArrayList<>();

  @AfterEach
  void shutDown() throws IOException {
    for (SocketChannel client : clients) {
      client.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(5)).join();
  }

  @Test
  void aBroadcastToManyConnectionsHoldsAboutOneFlushBatchOfSegments() throws Exception {
    var opened = new CopyOnWriteArrayList<Connection>();
    var allOpened = new CompletableFuture<Void>();
    var server =
        Server.builder(group)
            .bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () ->
                    new Protocol() {
                      @Override
                      public void opened(Connection connection) {
                        opened.add(connection);
                        if (opened.size() == CLIENTS) {
                          allOpened.complete(null);
                        }
                      }

                      @Override
                      public void received(Connection connection, ByteBuffer data) {}

                      @Override
                      public String name() {
                        return "listener";
                      }
                    });
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(SocketChannel.open(server.localAddress()));
    }
    allOpened.get(60, TimeUnit.SECONDS);

    EventLoop loop = group.loops().getFirst();
    var allocated = new CompletableFuture<Long>();
    loop.execute(
        () -> {
          long before = loop.segments().allocatedCount();
          for (Connection connection : opened) {
            connection.execute(() -> connection.write(MESSAGE));
          }
          // Queued after the writers, so it runs once they all have.
          loop.execute(() -> allocated.complete(loop.segments().allocatedCount() - before));
        });

    // One segment per connection waiting to be flushed: without the batch, all 300 at once.
    assertThat(allocated.get(30, TimeUnit.SECONDS))
        .as("write segments allocated for %d connections", CLIENTS)
        .isLessThanOrEqualTo(2L * EventLoop.FLUSH_BATCH);
    for (SocketChannel client : clients) {
      assertThat(readExactly(client, MESSAGE.length)).isEqualTo(MESSAGE);
    }
  }

  private static byte[] readExactly(SocketChannel client, int count) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(count);
    while (buffer.hasRemaining()) {
      assertThat(client.read(buffer)).as("bytes before EOF").isNotNegative();
    }
    return buffer.array();
  }
}
