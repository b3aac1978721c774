package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's opening handshake (RFC 6455 §4.2) over a real socket, written by hand. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerHandshakeIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "handshake-it", true);
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    var config =
        WebSocketConfig.builder()
            .subprotocols("superchat", "chat")
            .allowedOrigins("http://good.example")
            .deflate(DeflateOptions.DEFAULTS)
            .build();
    server =
        HttpServer.builder(group)
            .get("/ws", WebSocketServer.handler(config, EchoListeners::whole))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private String answer(String request) throws Exception {
    try (var client = new RawClient(server.port())) {
      client.send(request);
      return client.readHead();
    }
  }

  @Test
  void theRfcSampleKeyGetsTheRfcSampleAcceptAndOurPreferredSubprotocol() throws Exception {
    String head =
        answer(RawClient.upgradeRequest("/ws", "Sec-WebSocket-Protocol: chat, superchat"));
    assertThat(head)
        .startsWith("HTTP/1.1 101 ")
        .contains("Upgrade: websocket\r\n", "Connection: Upgrade\r\n")
        .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")
        .contains("Sec-WebSocket-Protocol: superchat\r\n")
        .doesNotContain("Sec-WebSocket-Extensions");
  }

  @Test
  void anotherVersionIs426WithTheVersionWeSpeak() throws Exception {
    assertThat(answer(RawClient.upgradeRequest("/ws", "Sec-WebSocket-Version: 8")))
        .startsWith("HTTP/1.1 426 ")
        .contains("Sec-WebSocket-Version: 13\r\n");
  }

  @Test
  void aMalformedKeyIs400() throws Exception {
    String request =
        RawClient.upgradeRequest("/ws").replace("dGhlIHNhbXBsZSBub25jZQ==", "not-base64-16-bytes");
    assertThat(answer(request)).startsWith("HTTP/1.1 400 ");
  }

  @Test
  void aPlainGetIs426() throws Exception {
    assertThat(answer("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n"))
        .startsWith("HTTP/1.1 426 ")
        .contains("Upgrade: websocket\r\n");
  }

  @Test
  void aForeignOriginIs403AndAnAllowedOneUpgrades() throws Exception {
    assertThat(answer(RawClient.upgradeRequest("/ws", "Origin: http://evil.example")))
        .startsWith("HTTP/1.1 403 ");
    assertThat(answer(RawClient.upgradeRequest("/ws", "Origin: http://good.example")))
        .startsWith("HTTP/1.1 101 ");
  }

  @Test
  void deflateIsAcceptedWithTheServerWindowTheClientAsksFor() throws Exception {
    assertThat(
            answer(
                RawClient.upgradeRequest(
                    "/ws", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")))
        .contains("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    // RFC 7692 §7.1.2.1: the accepted limit is named in the answer.
    assertThat(
            answer(
                RawClient.upgradeRequest(
                    "/ws",
                    "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10")))
        .startsWith("HTTP/1.1 101 ")
        .contains("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n");
  }

  @Test
  void framesSentWithTheRequestAreReadAfterTheSwitch() throws Exception {
    byte[] frame =
        WebSocketFrameWriter.encode(
            Opcodes.TEXT,
            true,
            false,
            ByteBuffer.wrap("early".getBytes(StandardCharsets.UTF_8)),
            true,
            99);
    byte[] request = RawClient.upgradeRequest("/ws").getBytes(StandardCharsets.ISO_8859_1);
    byte[] both = java.util.Arrays.copyOf(request, request.length + frame.length);
    System.arraycopy(frame, 0, both, request.length, frame.length);
    try (var client = new RawClient(server.port())) {
      client.send(both);
      assertThat(client.readHead()).startsWith("HTTP/1.1 101 ");
      assertThat(new String(client.readExactly(7), StandardCharsets.ISO_8859_1))
          .isEqualTo("\u0081\u0005early");
    }
  }
}
