package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.CapturedLog;
import dev.wharf.http.server.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that breaks the protocol and goes on sending (as Autobahn's 5.13 does, byte by byte) still
 * reads the server's Close with the error's code: the server's close lingers, so the bytes arriving
 * after it are discarded instead of answered with a reset.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ViolationCloseIT {
  /** More than loopback's socket buffers take, so most of it arrives after the server's close. */
  private static final int SENT_AFTER = 16 * 1024 * 1024;

  private final EventLoopGroup group = new EventLoopGroup(1, "violation-close-it", true);
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .get("/ws", WebSocketServer.handler(WebSocketConfig.DEFAULTS, EchoListeners::whole))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aPeerStillSendingAfterItsViolationReadsClose1002ThenEof() throws Exception {
    try (var client = new RawClient(server.port())) {
      client.send(RawClient.upgradeRequest("/ws"));
      assertThat(client.readHead()).startsWith("HTTP/1.1 101 ");

      // A masked frame (zero key) with the reserved opcode 3: the server fails with 1002.
      client.send(new byte[] {(byte) 0x83, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'});
      OutputStream out = client.socket.getOutputStream();
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < SENT_AFTER; sent += chunk.length) {
        out.write(chunk); // Without lingering: "Broken pipe" or "Connection reset" here.
      }

      byte[] head = client.readExactly(2);
      assertThat(head[0] & 0xFF).as("FIN and Close").isEqualTo(0x88);
      int length = head[1] & 0x7F;
      byte[] payload = client.readExactly(length);
      assertThat(payload.length).isEqualTo(length).isGreaterThanOrEqualTo(2);
      assertThat(((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)).isEqualTo(1002);
      assertThat(client.in.read()).as("EOF after the Close").isEqualTo(-1);
    }
  }

  @Test
  void aStreamingListenerCutOffByTheCloseIsNoListenerBugToWarnAbout() throws Exception {
    var closed = new CompletableFuture<Integer>();
    WebSocketListener echo = EchoListeners.streaming();
    WebSocketListener listener =
        new WebSocketListener() {
          @Override
          public boolean streamMessage(WebSocket ws, MessageType type) {
            return true;
          }

          @Override
          public void onStream(WebSocket ws, MessageType type, InputStream data) throws Exception {
            echo.onStream(ws, type, data); // Its read fails once the server has closed.
          }

          @Override
          public void onClose(WebSocket ws, int code, String reason) {
            closed.complete(code); // Runs after onStream returned or threw: events keep order.
          }
        };
    var streams =
        HttpServer.builder(group)
            .get("/ws", WebSocketServer.handler(WebSocketConfig.DEFAULTS, () -> listener))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try (var client = new RawClient(streams.port());
        var warnings = CapturedLog.expect(WebSocketSession.class, Level.WARNING)) {
      client.send(RawClient.upgradeRequest("/ws"));
      assertThat(client.readHead()).startsWith("HTTP/1.1 101 ");

      // The first fragment of a text message starts the listener's stream; then opcode 3.
      client.send(new byte[] {0x01, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'});
      client.send(new byte[] {(byte) 0x83, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'});

      assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1002);
      assertThat(warnings.records())
          .extracting(r -> r.getMessage() + ": " + r.getThrown())
          .isEmpty();
    } finally {
      streams.close();
    }
  }
}
