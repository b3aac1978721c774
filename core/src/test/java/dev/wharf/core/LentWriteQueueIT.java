package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection holds a write queue only while bytes wait in it: the loop lends its spare queue to a
 * connection that writes and takes it back when it empties (heap per idle connection). Two
 * connections of one loop, one with a full queue held for a client that does not read, the other
 * echoing on through the loop's lent queue, each get their own bytes back, in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LentWriteQueueIT {
  private static final int STUCK_BYTES = 8 << 20; // Far more than the socket buffers hold.
  private static final int BYTES = 1 << 20;

  private final EventLoopGroup group = new EventLoopGroup(1, "lent-queue", true);

  @AfterEach
  void shutDown() {
    group.shutdownGracefully(Duration.ofSeconds(5)).join();
  }

  private static byte patternByte(int seed, long i) {
    return (byte) (seed * 31 + i * 7 + (i >>> 9));
  }

  @Test
  void aConnectionWithAFullQueueAndOneEchoingThroughTheLentQueueGetTheirOwnBytes()
      throws Exception {
    var server =
        Server.builder(group)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoProtocol::new);
    try (SocketChannel stuck = SocketChannel.open(server.localAddress());
        SocketChannel busy = SocketChannel.open(server.localAddress())) {
      // The stuck client sends without reading: its echo fills the socket, then its queue.
      CompletableFuture<Void> stuckSent = sendPattern(stuck, 1, STUCK_BYTES);
      // Meanwhile the other echoes a MiB in small turns, each emptying its queue again.
      for (int turn = 0; turn < 64; turn++) {
        sendPattern(busy, 2 + turn, BYTES / 64).get(30, TimeUnit.SECONDS);
        readPattern(busy, 2 + turn, BYTES / 64);
      }
      // Now the stuck client reads: all of its echo, in order, none of the other's.
      CompletableFuture<Void> stuckRead =
          CompletableFuture.runAsync(
              () -> {
                try {
                  readPattern(stuck, 1, STUCK_BYTES);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      stuckSent.get(60, TimeUnit.SECONDS);
      stuckRead.get(60, TimeUnit.SECONDS);
    }
  }

  private static CompletableFuture<Void> sendPattern(SocketChannel socket, int seed, int count) {
    var done = new CompletableFuture<Void>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                long sent = 0;
                while (sent < count) {
                  chunk.clear();
                  int n = (int) Math.min(chunk.capacity(), count - sent);
                  for (int i = 0; i < n; i++) {
                    chunk.put(patternByte(seed, sent + i));
                  }
                  chunk.flip();
                  while (chunk.hasRemaining()) {
                    socket.write(chunk);
                  }
                  sent += n;
                }
                done.complete(null);
              } catch (IOException e) {
                done.completeExceptionally(e);
              }
            });
    return done;
  }

  private static void readPattern(SocketChannel socket, int seed, int count) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    long read = 0;
    while (read < count) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), count - read));
      int n = socket.read(chunk);
      assertThat(n).as("bytes before EOF").isPositive();
      chunk.flip();
      for (int i = 0; i < n; i++) {
        if (chunk.get(i) != patternByte(seed, read + i)) {
          throw new AssertionError("byte " + (read + i) + " of client " + seed + " is not its own");
        }
      }
      read += n;
    }
  }
}
