package dev.wharf.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import dev.wharf.testkit.Feed;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 client's protocol with no socket: the request it writes, responses split anywhere,
 * keep-alive and close, and what it does with a bad or missing answer.
 */
class Http1ClientProtocolTest {
  private final FakeClock clock = new FakeClock();
  private final List<String> pool = new ArrayList<>();

  /** Records the listener's events as lines ("head 200 OK", "body hello", "complete"). */
  private static final class Recording implements ResponseListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final StringBuilder body = new StringBuilder();
    Throwable failure;

    @Override
    public void head(ResponseHead head) {
      events.add("head " + head.status() + " " + head.reason());
    }

    @Override
    public void body(ByteBuffer chunk) {
      body.append(StandardCharsets.ISO_8859_1.decode(chunk));
    }

    @Override
    public void complete(ExchangeTimings timings) {
      events.add("body " + body);
      events.add("complete");
    }

    @Override
    public void failed(Throwable error) {
      failure = error;
      events.add("failed " + error.getClass().getSimpleName());
    }
  }

  private Http1ClientProtocol protocol() {
    return new Http1ClientProtocol(
        new HttpClient.Origin("http", "example.test", 8080),
        new Http1ClientProtocol.Pool() {
          @Override
          public void release(Http1ClientProtocol protocol) {
            pool.add("release");
          }

          @Override
          public void remove(Http1ClientProtocol protocol) {
            pool.add("remove");
          }
        });
  }

  /** Sends {@code request} on {@code connection} as the client does, from its loop. */
  private static Recording send(
      EmbeddedConnection connection, ClientRequest request, Duration responseTimeout) {
    var listener = new Recording();
    ((Http1ClientProtocol) connection.protocol())
        .send(
            request,
            Http1ClientProtocol.encodeHead(request, request.url()),
            listener,
            false,
            Duration.ZERO,
            Duration.ZERO,
            0,
            responseTimeout);
    connection.runPendingTasks();
    return listener;
  }

  private static Recording send(EmbeddedConnection connection, ClientRequest request) {
    return send(connection, request, Duration.ZERO);
  }

  private static ClientRequest get(String url) {
    return ClientRequest.get(URI.create(url));
  }

  @Test
  void writesTheRequestHeadWithHostDefaultsAndLength() {
    var connection = EmbeddedConnection.of(clock, protocol());
    var post =
        new ClientRequest(
            "POST",
            URI.create("http://example.test:8080/items?sort=new"),
            Headers.builder().add("X-Trace", "1").build(),
            "hello".getBytes(StandardCharsets.US_ASCII));

    send(connection, post);

    String written = connection.readOutboundAscii();
    assertThat(written)
        .startsWith("POST /items?sort=new HTTP/1.1\r\n")
        .contains("Host: example.test:8080\r\n")
        .contains("User-Agent: wharf\r\n")
        .contains("Accept: */*\r\n")
        .contains("Content-Length: 5\r\n")
        .contains("X-Trace: 1\r\n")
        .endsWith("\r\n\r\nhello");
  }

  @Test
  void responsesSplitAnywhereAreReadWholeAndTheConnectionGoesBackToThePool() {
    byte[] sized =
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.ISO_8859_1);
    byte[] chunked =
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    List<List<ByteBuffer>> sizedWays = Feed.ways(sized, 20, 7, 16);
    List<List<ByteBuffer>> chunkedWays = Feed.ways(chunked, 20, 8, 16);
    for (int way = 0; way < sizedWays.size(); way++) {
      pool.clear();
      var connection = EmbeddedConnection.of(clock, protocol());

      var first = send(connection, get("http://example.test:8080/a"));
      sizedWays.get(way).forEach(connection::writeInbound);
      // Reused for the next request, as the client's pool does.
      var second = send(connection, get("http://example.test:8080/b"));
      chunkedWays.get(way).forEach(connection::writeInbound);

      connection.checkException();
      assertThat(first.events)
          .as("way %d", way)
          .containsExactly("head 200 OK", "body hello", "complete");
      assertThat(second.events)
          .as("way %d", way)
          .containsExactly("head 200 OK", "body abcde", "complete");
      assertThat(pool).containsExactly("release", "release");
      assertThat(connection.isClosed()).isFalse();
    }
  }

  @Test
  void connectionCloseInTheAnswerClosesAfterIt() {
    var connection = EmbeddedConnection.of(clock, protocol());
    var listener = send(connection, get("http://example.test:8080/"));

    connection.writeInbound("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");

    assertThat(listener.events).containsExactly("head 200 OK", "body ok", "complete");
    assertThat(connection.isClosed()).isTrue();
    assertThat(pool).containsExactly("remove");
  }

  @Test
  void aCloseDelimitedBodyEndsAtTheServersFin() {
    var connection = EmbeddedConnection.of(clock, protocol());
    var listener = send(connection, get("http://example.test:8080/"));

    connection.writeInbound("HTTP/1.0 200 OK\r\n\r\nall of it");
    assertThat(listener.events).containsExactly("head 200 OK");
    connection.closeInbound();

    assertThat(listener.events).containsExactly("head 200 OK", "body all of it", "complete");
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void aBadStatusLineFailsTheRequestAndClosesTheConnection() {
    for (String bad :
        List.of(
            "HTTP/1.1 2OO OK\r\n\r\n",
            "SMTP 220 hello\r\n\r\n",
            "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n")) {
      pool.clear();
      var connection = EmbeddedConnection.of(clock, protocol());
      var listener = send(connection, get("http://example.test:8080/"));

      connection.writeInbound(bad);

      assertThat(listener.events).as(bad).containsExactly("failed ProtocolException");
      assertThat(connection.isClosed()).isTrue();
      assertThat(pool).containsExactly("remove");
    }
  }

  @Test
  void theServersFinInTheMiddleOfABodyFailsTheRequest() {
    var connection = EmbeddedConnection.of(clock, protocol());
    var listener = send(connection, get("http://example.test:8080/"));

    connection.writeInbound("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
    connection.closeInbound();

    assertThat(listener.events).containsExactly("head 200 OK", "failed ProtocolException");
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void theServersFinBeforeAnyAnswerFailsTheRequest() {
    var connection = EmbeddedConnection.of(clock, protocol());
    var listener = send(connection, get("http://example.test:8080/"));

    connection.closeInbound();

    assertThat(listener.failure).isInstanceOf(IOException.class);
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void bytesWithNoRequestInFlightCloseTheConnection() {
    var connection = EmbeddedConnection.of(clock, protocol());

    connection.writeInbound("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

    assertThat(connection.isClosed()).isTrue();
    assertThat(connection.closeReason()).get().satisfies(r -> assertThat(r.isFailure()).isTrue());
    assertThat(pool).containsExactly("remove");
  }

  @Test
  void aSecondResponseInTheSameReadAsTheFirstClosesTheConnectionAfterAnsweringTheFirst() {
    var connection = EmbeddedConnection.of(clock, protocol());
    var listener = send(connection, get("http://example.test:8080/"));

    // One answer was asked for; the server sent two in one segment.
    connection.writeInbound(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
            + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye");

    connection.checkException();
    assertThat(listener.events).containsExactly("head 200 OK", "body hi", "complete");
    assertThat(connection.isClosed()).isTrue();
    assertThat(connection.closeReason())
        .get()
        .satisfies(r -> assertThat(r.message()).contains("no request in flight"));
    assertThat(pool).containsExactly("release", "remove");
  }

  @Test
  void noCompleteAnswerWithinTheResponseTimeoutFailsTheRequest() {
    var connection = EmbeddedConnection.of(clock, protocol());
    var listener = send(connection, get("http://example.test:8080/"), Duration.ofSeconds(5));
    connection.writeInbound("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nslow");

    clock.advance(Duration.ofSeconds(4));
    connection.runPendingTasks();
    assertThat(listener.failure).isNull();
    clock.advance(Duration.ofSeconds(2));
    connection.runPendingTasks();

    assertThat(listener.failure)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no complete response");
    assertThat(connection.isClosed()).isTrue();
  }
}
