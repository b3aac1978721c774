package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.RequestHead;
import dev.wharf.http.codec.Http1RequestDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The upgrade request the client writes, read back by the server's own request decoder: the URL's
 * target and Host as {@link HttpUrl} makes them, the handshake's fields, then the caller's.
 */
class ClientHandshakeRequestTest {
  private final FakeClock clock = new FakeClock();

  private RequestHead sent(String url, Headers headers) {
    var handshake =
        new ClientHandshake(
            WebSocketConfig.DEFAULTS,
            HttpUrl.parse(url),
            headers,
            new RecordingListener(),
            Duration.ZERO);
    var connection = EmbeddedConnection.of(clock, handshake);
    List<RequestHead> heads = new ArrayList<>();
    new Http1RequestDecoder(HttpLimits.DEFAULTS)
        .decode(
            ByteBuffer.wrap(connection.readOutbound()),
            new Http1RequestDecoder.Sink() {
              @Override
              public void head(RequestHead head) {
                heads.add(head);
              }

              @Override
              public void body(ByteBuffer chunk) {}

              @Override
              public void end(Headers trailers) {}
            });
    assertThat(heads).hasSize(1);
    return heads.get(0);
  }

  @Test
  void theRequestCarriesTheTargetWithItsQueryAndTheHostAsTheUrlSaysIt() {
    RequestHead head =
        sent(
            "ws://[::1]:8080/chat%20room?id=7#ignored",
            Headers.builder().add("Origin", "o").build());

    assertThat(head.method()).isEqualTo("GET");
    assertThat(head.target()).isEqualTo("/chat%20room?id=7");
    assertThat(head.version()).isEqualTo("HTTP/1.1");
    assertThat(head.headers().fields().stream().map(Headers.Field::name))
        .containsExactly(
            "Host",
            "Upgrade",
            "Connection",
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Version",
            "Origin");
    assertThat(head.headers().first("Host")).contains("[::1]:8080");
    assertThat(head.headers().first("Sec-WebSocket-Version")).contains("13");
    assertThat(head.isUpgradeRequest()).isTrue();
  }

  @Test
  void theDefaultPortIsLeftOutOfHost() {
    assertThat(sent("wss://example.com/", Headers.EMPTY).headers().first("Host"))
        .contains("example.com");
    assertThat(sent("ws://example.com:443/", Headers.EMPTY).headers().first("Host"))
        .contains("example.com:443");
  }

  @Test
  void aFieldThatCouldSplitTheRequestFailsAtOnceAndNothingIsSent() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new ClientHandshake(
                    WebSocketConfig.DEFAULTS,
                    HttpUrl.parse("ws://h/"),
                    Headers.builder().add("Cookie", "a\r\nX-Evil: 1").build(),
                    new RecordingListener(),
                    Duration.ZERO))
        .withMessage("invalid character in value of header Cookie");
  }
}
