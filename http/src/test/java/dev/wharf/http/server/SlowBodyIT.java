package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many uploads that send a fast burst and then fall silent (the attack that an average rate let
 * through for minutes, and that ended in 500s): each gets 408 within a window of silence, never a
 * 500, on streamed and buffered routes alike, and an honest client is answered afterwards. Scaled
 * down: a one-second window instead of ten.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowBodyIT {
  private static final int CLIENTS = 40;
  private static final int BURST = 256 * 1024; // at 1 KiB/s on average: four minutes

  private final EventLoopGroup group = new EventLoopGroup(2, "slow-body-it", true);
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server =
        HttpServer.builder(group)
            .timeouts(new HttpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(60), 1024))
            .routeStreaming(
                "PUT",
                "/upload",
                1L << 30,
                (request, response) -> {
                  long n = request.bodyStream().transferTo(OutputStream.nullOutputStream());
                  response.send("got " + n + "\n");
                })
            .routeStreaming(
                "PUT",
                "/careless",
                1L << 30,
                (request, response) -> {
                  try {
                    request.bodyStream().transferTo(OutputStream.nullOutputStream());
                  } catch (IOException e) {
                    // A handler that loses the cause: the client's slowness is still no 500.
                    throw new IllegalStateException("copy failed: " + e.getMessage());
                  }
                  response.send("done\n");
                })
            .post("/echo", (request, response) -> response.send(request.bodyAsString()))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void burstsFollowedBySilenceGet408WithinAWindowNeverA500() throws Exception {
    List<Socket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        var socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        clients.add(socket);
        // Well under the minutes an average rate allowed: only a sliding window answers in time.
        socket.setSoTimeout(15_000);
        String target = List.of("PUT /upload", "PUT /careless", "POST /echo").get(i % 3);
        String head =
            target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + (2 * BURST) + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(new byte[BURST]);
      }
      for (Socket socket : clients) {
        assertThat(statusLine(socket.getInputStream())).isEqualTo("HTTP/1.1 408 Request Timeout");
      }
    } finally {
      for (Socket socket : clients) {
        socket.close();
      }
    }

    try (var honest = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      honest.setSoTimeout(10_000);
      honest
          .getOutputStream()
          .write(
              "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(statusLine(honest.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    var line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    return line.toString(StandardCharsets.ISO_8859_1).strip();
  }
}
