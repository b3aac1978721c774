package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Watermarks;
import dev.wharf.http.RawResponse;
import dev.wharf.testkit.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler on a virtual thread streaming a large answer with {@link ServerResponse#write} to a
 * client that does not read: it must hold no more than about the high watermark in copies, even
 * while the event loop is too busy to take them (20 such answers of 4 MiB once filled a 48 MiB
 * heap).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamedAnswerIT {
  private static final int CHUNK = 64 * 1024;
  private static final byte[] PAYLOAD = new byte[4 << 20];

  static {
    new Random(13).nextBytes(PAYLOAD);
  }

  private final EventLoopGroup group = new EventLoopGroup(1, "streamed-answer-it", true);
  private final CountDownLatch loopBusy = new CountDownLatch(1);
  private final CountDownLatch releaseLoop = new CountDownLatch(1);
  private final AtomicLong handedOver = new AtomicLong();
  private final AtomicReference<Thread> writing = new AtomicReference<>();
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .routeBlocking(
                "GET",
                "/big",
                (request, response) -> {
                  // Hold the only loop: from now on every write is a copy waiting for it.
                  group
                      .next()
                      .execute(
                          () -> {
                            loopBusy.countDown();
                            awaitQuietly(releaseLoop);
                          });
                  assertThat(loopBusy.await(10, TimeUnit.SECONDS)).isTrue();
                  writing.set(Thread.currentThread());
                  response.header("Content-Length", Integer.toString(PAYLOAD.length));
                  for (int at = 0; at < PAYLOAD.length; at += CHUNK) {
                    response.write(ByteBuffer.wrap(PAYLOAD, at, CHUNK));
                    handedOver.addAndGet(CHUNK);
                  }
                  response.end();
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    releaseLoop.countDown();
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aHandlerStreamingToAClientThatDoesNotReadHoldsAboutTheHighWatermark() throws Exception {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(20_000);
      socket
          .getOutputStream()
          .write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

      // The handler either waits for the connection to be writable, or has handed over all.
      Await.until(
          "the handler to pause or to hand over everything",
          () -> isWaiting(writing.get()) || handedOver.get() == PAYLOAD.length);
      assertThat(handedOver.get())
          .as("body bytes handed to a busy loop")
          .isLessThanOrEqualTo(Watermarks.DEFAULTS.high() + CHUNK);

      // The loop goes on and the client reads: the handler is woken, the answer arrives whole.
      releaseLoop.countDown();
      RawResponse response = RawResponse.read(socket.getInputStream(), "GET");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(PAYLOAD);
    }
  }

  private static boolean isWaiting(Thread thread) {
    return thread != null
        && (thread.getState() == Thread.State.TIMED_WAITING
            || thread.getState() == Thread.State.WAITING);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
