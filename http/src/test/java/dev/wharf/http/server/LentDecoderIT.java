package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.ExternalProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection between requests holds no decoder or request queue: its loop lends them to whichever
 * connection is reading ({@link LoopSpares}), and what a decoder remembers (the last target and
 * header fields) passes from one connection to the next. On one loop, a connection in the middle of
 * a request head keeps its own decoder while another is answered through the lent one, and each
 * request is answered with its own target and headers, never the previous connection's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LentDecoderIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "lent-decoder-it", true);
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .fallback(
                (request, response) ->
                    response.send(request.header("X-Tag").orElse("-") + " " + request.path()),
                false)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aHalfReadHeadKeepsItsDecoderWhileOtherConnectionsAreAnsweredWithTheirOwnFields()
      throws Exception {
    try (var half = new Socket(InetAddress.getLoopbackAddress(), server.port());
        var whole = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      half.setSoTimeout(20_000);
      whole.setSoTimeout(20_000);
      send(half, "GET /first HTTP/1.1\r\nHost: x\r\nX-Ta");
      send(whole, "GET /second HTTP/1.1\r\nHost: x\r\nX-Tag: b\r\n\r\n");
      assertThat(body(whole)).isEqualTo("b /second");
      // The same spelling again (the remembered fields are reused), then other values.
      send(whole, "GET /second HTTP/1.1\r\nHost: x\r\nX-Tag: b\r\n\r\n");
      assertThat(body(whole)).isEqualTo("b /second");
      send(whole, "GET /third HTTP/1.1\r\nHost: x\r\nX-Tag: c\r\n\r\n");
      assertThat(body(whole)).isEqualTo("c /third");
      send(half, "g: a\r\n\r\n");
      assertThat(body(half)).isEqualTo("a /first");
      // Pipelined on the first, which takes the lent queue: answered in order.
      send(
          half,
          "GET /p1 HTTP/1.1\r\nHost: x\r\nX-Tag: 1\r\n\r\n"
              + "GET /p2 HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(body(half)).isEqualTo("1 /p1");
      assertThat(body(half)).isEqualTo("- /p2");
      send(whole, "GET /fourth HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(body(whole)).as("no field carried over").isEqualTo("- /fourth");
    }
  }

  @Test
  void curlGetsTwoAnswersOverOneKeptAliveConnection() throws Exception {
    String base = "http://127.0.0.1:" + server.port();
    var curl =
        ExternalProcess.run(
            Duration.ofSeconds(20),
            "curl",
            "-sS",
            "-H",
            "X-Tag: k",
            "-w",
            "|%{num_connects}\n",
            base + "/one",
            base + "/two");
    assertThat(curl.err()).isEmpty();
    // The second transfer reuses the connection: no new connect.
    assertThat(curl.out()).isEqualTo("k /one|1\nk /two|0\n");
  }

  private static void send(Socket socket, String ascii) throws IOException {
    socket.getOutputStream().write(ascii.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** One response's body (Content-Length framed), read off the socket. */
  private static String body(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    var head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF inside a response head: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    assertThat(text).startsWith("HTTP/1.1 200");
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
