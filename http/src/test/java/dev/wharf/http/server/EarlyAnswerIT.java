package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.RawResponse;
import dev.wharf.testkit.ExternalProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An answer given before the request has arrived whole (413 for a body over the limit) reaches a
 * client that is still sending, because the server's close lingers: it sends FIN and discards the
 * rest of the body instead of closing on unread input, which would send a reset.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EarlyAnswerIT {
  private static final int LIMIT = 1024 * 1024;
  private static final int BODY = 16 * 1024 * 1024;

  @TempDir Path dir;
  private final EventLoopGroup group = new EventLoopGroup(1, "early-answer-it", true);
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .limits(HttpLimits.DEFAULTS.withMaxBodyBytes(LIMIT))
            .post("/upload", (request, response) -> response.send("taken"))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aClientThatSendsItsWholeBodyBeforeReadingGets413ThenEof() throws Exception {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < BODY; sent += chunk.length) {
        out.write(chunk); // Without lingering: "Broken pipe" or "Connection reset" here.
      }
      InputStream in = socket.getInputStream();

      RawResponse response = RawResponse.read(in, "POST");

      assertThat(response.status()).isEqualTo(413);
      assertThat(response.header("Connection")).contains("close");
      assertThat(in.read()).as("EOF after the answer").isEqualTo(-1);
    }
  }

  @Test
  void curlUploadingTooMuchGets413() throws Exception {
    Path body = Files.write(dir.resolve("body.bin"), new byte[BODY]);
    var curl =
        ExternalProcess.run(
            Duration.ofSeconds(30),
            "curl",
            "-sS",
            "-H",
            "Expect:", // Send the body at once rather than wait for 100 Continue.
            "-w",
            "%{http_code}",
            "-o",
            "/dev/null",
            "--data-binary",
            "@" + body,
            "http://127.0.0.1:" + server.port() + "/upload");

    assertThat(curl.err()).isEmpty();
    assertThat(curl.out()).isEqualTo("413");
    assertThat(curl.exit()).isZero();
  }
}
