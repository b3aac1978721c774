package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import dev.wharf.testkit.Feed;
import dev.wharf.websocket.codec.Handshake;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The client's opening handshake (RFC 6455 §4.1) with no socket: the request it sends, and every
 * answer a server can give, whole, byte by byte and split anywhere.
 */
class ClientHandshakeTest {
  private static final Pattern KEY = Pattern.compile("Sec-WebSocket-Key: (\\S+)\r\n");

  /** A text frame "hello" from the server (unmasked), as it may follow the 101 in one read. */
  private static final byte[] HELLO_FRAME = {(byte) 0x81, 5, 'h', 'e', 'l', 'l', 'o'};

  private final FakeClock clock = new FakeClock();
  private final RecordingListener listener = new RecordingListener();

  private ClientHandshake handshake(WebSocketConfig config, String uri) {
    return new ClientHandshake(
        config,
        HttpUrl.parse(uri),
        Headers.builder().add("X-Trace", "1").build(),
        listener,
        Duration.ofSeconds(5));
  }

  /** The key of the request the handshake sent. */
  private static String keyOf(String request) {
    Matcher key = KEY.matcher(request);
    assertThat(key.find()).as("a key in %s", request).isTrue();
    return key.group(1);
  }

  private static String switching(String accept, String... more) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: "
        + accept
        + "\r\n"
        + String.join("", more)
        + "\r\n";
  }

  private static Throwable failure(CompletableFuture<WebSocket> result) {
    assertThat(result).isCompletedExceptionally();
    try {
      result.get();
      throw new AssertionError("not failed");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void sendsTheUpgradeRequestWithTargetHostKeyAndHeaders() {
    var handshake = handshake(WebSocketConfig.DEFAULTS, "ws://example.test:8080/chat?room=1");
    var connection = EmbeddedConnection.of(clock, handshake);

    String request = connection.readOutboundAscii();
    assertThat(request)
        .startsWith("GET /chat?room=1 HTTP/1.1\r\n")
        .contains("Host: example.test:8080\r\n")
        .contains("Upgrade: websocket\r\n")
        .contains("Connection: Upgrade\r\n")
        .contains("Sec-WebSocket-Version: 13\r\n")
        .contains("X-Trace: 1\r\n")
        .endsWith("\r\n\r\n");
    assertThat(java.util.Base64.getDecoder().decode(keyOf(request))).hasSize(16);
    assertThat(handshake.result()).isNotDone();
  }

  @Test
  void theDefaultPortIsLeftOutOfHost() {
    var connection =
        EmbeddedConnection.of(clock, handshake(WebSocketConfig.DEFAULTS, "ws://example.test/"));
    assertThat(connection.readOutboundAscii()).contains("Host: example.test\r\n");
  }

  @Test
  void a101SplitAnywhereOpensTheSessionWithTheFramesThatCameWithIt() throws Exception {
    // The key is random: each way gets a handshake of its own, and an answer to its key.
    for (int way = 0; way < 2 + 20; way++) {
      var events = new RecordingListener();
      var handshake =
          new ClientHandshake(
              WebSocketConfig.DEFAULTS,
              HttpUrl.parse("ws://example.test/"),
              Headers.EMPTY,
              events,
              Duration.ofSeconds(5));
      var connection = EmbeddedConnection.of(clock, handshake);
      String key = keyOf(connection.readOutboundAscii());
      byte[] head = switching(Handshake.accept(key)).getBytes(StandardCharsets.ISO_8859_1);
      byte[] answer = Arrays.copyOf(head, head.length + HELLO_FRAME.length);
      System.arraycopy(HELLO_FRAME, 0, answer, head.length, HELLO_FRAME.length);

      List<ByteBuffer> pieces = Feed.ways(answer, 20, 12, 24).get(way);
      pieces.forEach(connection::writeInbound);

      connection.checkException();
      assertThat(handshake.result()).as("way %d", way).isCompleted();
      assertThat(connection.protocol()).isInstanceOf(WebSocketSession.class);
      assertThat(events.events).as("way %d", way).containsExactly("open", "text hello");
      assertThat(connection.isClosed()).isFalse();
    }
  }

  @Test
  void aBadStatusLineFailsTheHandshakeAndClosesTheConnection() {
    var handshake = handshake(WebSocketConfig.DEFAULTS, "ws://example.test/");
    var connection = EmbeddedConnection.of(clock, handshake);
    connection.readOutbound();

    connection.writeInbound("HTTP/1.1 1O1 Switching Protocols\r\n\r\n");

    assertThat(failure(handshake.result())).isInstanceOf(WebSocketHandshakeException.class);
    assertThat(connection.isClosed()).isTrue();
    assertThat(listener.events).isEmpty();
  }

  @Test
  void aWrongAcceptKeyIsRefused() {
    var handshake = handshake(WebSocketConfig.DEFAULTS, "ws://example.test/");
    var connection = EmbeddedConnection.of(clock, handshake);
    String key = keyOf(connection.readOutboundAscii());
    String wrong = Handshake.accept(key.equals("AAAAAAAAAAAAAAAAAAAAAA==") ? "B" : "A");

    connection.writeInbound(switching(wrong));

    assertThat(failure(handshake.result()))
        .isInstanceOf(WebSocketHandshakeException.class)
        .hasMessageContaining("Sec-WebSocket-Accept");
    assertThat(((WebSocketHandshakeException) failure(handshake.result())).status()).isEqualTo(101);
    assertThat(connection.isClosed()).isTrue();
    assertThat(listener.events).isEmpty();
  }

  @Test
  void a101WithoutUpgradeOrConnectionIsRefused() {
    for (String answer :
        List.of(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")) {
      var handshake = handshake(WebSocketConfig.DEFAULTS, "ws://example.test/");
      var connection = EmbeddedConnection.of(clock, handshake);
      String key = keyOf(connection.readOutboundAscii());

      connection.writeInbound(
          answer + "Sec-WebSocket-Accept: " + Handshake.accept(key) + "\r\n\r\n");

      assertThat(failure(handshake.result()))
          .isInstanceOf(WebSocketHandshakeException.class)
          .hasMessageContaining("101 without");
      assertThat(connection.isClosed()).isTrue();
    }
  }

  @Test
  void anotherStatusIsRefusedWithThatStatus() {
    var handshake = handshake(WebSocketConfig.DEFAULTS, "ws://example.test/");
    var connection = EmbeddedConnection.of(clock, handshake);
    connection.readOutbound();

    connection.writeInbound("HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope");

    Throwable error = failure(handshake.result());
    assertThat(error).isInstanceOf(WebSocketHandshakeException.class).hasMessageContaining("403");
    assertThat(((WebSocketHandshakeException) error).status()).isEqualTo(403);
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void aSubprotocolOrExtensionNotOfferedIsRefused() {
    var config = WebSocketConfig.builder().subprotocols("chat").build();
    for (String extra :
        List.of(
            "Sec-WebSocket-Protocol: superchat\r\n",
            "Sec-WebSocket-Protocol: chat, superchat\r\n",
            "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
      var handshake = handshake(config, "ws://example.test/");
      var connection = EmbeddedConnection.of(clock, handshake);
      String key = keyOf(connection.readOutboundAscii());

      connection.writeInbound(switching(Handshake.accept(key), extra));

      assertThat(failure(handshake.result()))
          .as(extra)
          .isInstanceOf(WebSocketHandshakeException.class)
          .hasMessageContaining("not offered");
      assertThat(connection.isClosed()).isTrue();
    }
  }

  @Test
  void theServerClosingBeforeItsAnswerFailsTheHandshake() {
    var handshake = handshake(WebSocketConfig.DEFAULTS, "ws://example.test/");
    var connection = EmbeddedConnection.of(clock, handshake);
    connection.writeInbound("HTTP/1.1 101 Switching");

    connection.closeInbound();

    assertThat(failure(handshake.result())).isInstanceOf(IOException.class);
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void noAnswerWithinTheTimeoutFailsTheHandshake() {
    var handshake = handshake(WebSocketConfig.DEFAULTS, "ws://example.test/");
    var connection = EmbeddedConnection.of(clock, handshake);

    clock.advance(Duration.ofSeconds(4));
    connection.runPendingTasks();
    assertThat(handshake.result()).isNotDone();
    clock.advance(Duration.ofSeconds(2));
    connection.runPendingTasks();

    assertThat(failure(handshake.result())).hasMessageContaining("no handshake answer");
    assertThat(connection.isClosed()).isTrue();
  }
}
