package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.CloseReason;
import dev.wharf.core.testing.CapturedLog;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class Http1ServerProtocolTest {
  private final FakeClock clock = new FakeClock();
  private final List<AccessLogEntry> log = new ArrayList<>();

  private EmbeddedConnection connection(Routes routes) {
    var config =
        new HttpServer.Config(
            routes,
            new Routes.Route(
                (request, response) -> response.status(404).send("no " + request.path()), false),
            HttpLimits.DEFAULTS,
            HttpTimeouts.DEFAULTS,
            log::add);
    return EmbeddedConnection.of(clock, new Http1ServerProtocol(config));
  }

  private EmbeddedConnection helloServer() {
    var routes = new Routes();
    routes.add(
        "GET",
        "/hello",
        new Routes.Route((request, response) -> response.send("Hello, World!"), false));
    routes.add(
        "POST",
        "/echo",
        new Routes.Route(
            (request, response) -> response.send(200, "application/octet-stream", request.body()),
            false));
    routes.add(
        "GET",
        "/stream",
        new Routes.Route(
            (request, response) -> {
              response.write(ByteBuffer.wrap("part one, ".getBytes(StandardCharsets.US_ASCII)));
              response.write(ByteBuffer.wrap("part two".getBytes(StandardCharsets.US_ASCII)));
              response.end();
            },
            false));
    routes.add(
        "GET",
        "/boom",
        new Routes.Route(
            (request, response) -> {
              throw new IllegalStateException("handler bug");
            },
            false));
    return connection(routes);
  }

  /** Splits a stream of responses into their texts (heads with bodies). */
  private static String status(String response) {
    return response.substring(0, response.indexOf("\r\n"));
  }

  @Test
  void answersAGetWithLengthDateAndServer() {
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    String response = conn.readOutboundAscii();
    assertThat(status(response)).isEqualTo("HTTP/1.1 200 OK");
    assertThat(response)
        .contains("\r\nContent-Length: 13\r\n")
        .contains("\r\nContent-Type: text/plain; charset=utf-8\r\n")
        .containsPattern("\r\nDate: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n")
        .contains("\r\nServer: wharf\r\n")
        .endsWith("\r\n\r\nHello, World!");
    assertThat(conn.isClosed()).isFalse();
    assertThat(log)
        .singleElement()
        .satisfies(e -> assertThat(e.requestLine()).isEqualTo("GET /hello HTTP/1.1"));
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    var conn = helloServer();
    conn.writeInbound(
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            + "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
    String out = conn.readOutboundAscii();
    int hello = out.indexOf("Hello, World!");
    int echo = out.indexOf("\r\n\r\nabc");
    int missing = out.indexOf("no /missing");
    assertThat(hello).isPositive();
    assertThat(echo).isGreaterThan(hello);
    assertThat(missing).isGreaterThan(echo);
  }

  @Test
  void tenThousandPipelinedRequestsComeBackInOrder() {
    var conn = helloServer();
    var requests = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      requests
          .append("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ")
          .append(Integer.toString(i).length())
          .append("\r\n\r\n")
          .append(i);
    }
    byte[] bytes = requests.toString().getBytes(StandardCharsets.US_ASCII);
    for (int at = 0; at < bytes.length; at += 8192) {
      conn.writeInbound(ByteBuffer.wrap(bytes, at, Math.min(8192, bytes.length - at)));
    }
    String out = conn.readOutboundAscii();
    int from = 0;
    for (int i = 0; i < 10_000; i++) {
      int at = out.indexOf("\r\n\r\n" + i, from);
      assertThat(at).as("response %d", i).isGreaterThanOrEqualTo(from);
      from = at + 4;
    }
    assertThat(log).hasSize(10_000);
  }

  @Test
  void http10ClosesAfterTheResponseUnlessAskedToKeepAlive() {
    var close = helloServer();
    close.writeInbound("GET /hello HTTP/1.0\r\n\r\n");
    assertThat(close.readOutboundAscii()).contains("\r\nConnection: close\r\n");
    assertThat(close.isClosed()).isTrue();

    var keep = helloServer();
    keep.writeInbound("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assertThat(keep.readOutboundAscii()).contains("\r\nConnection: keep-alive\r\n");
    assertThat(keep.isClosed()).isFalse();
  }

  @Test
  void connectionCloseIsHonoured() {
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(conn.readOutboundAscii()).contains("\r\nConnection: close\r\n");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void headAnswersLikeGetWithoutTheContent() {
    var conn = helloServer();
    conn.writeInbound("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    String response = conn.readOutboundAscii();
    assertThat(status(response)).isEqualTo("HTTP/1.1 200 OK");
    assertThat(response).contains("\r\nContent-Length: 13\r\n").endsWith("\r\n\r\n");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    var conn = helloServer();
    conn.writeInbound("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    String response = conn.readOutboundAscii();
    assertThat(status(response)).isEqualTo("HTTP/1.1 405 Method Not Allowed");
    assertThat(response).contains("\r\nAllow: GET, HEAD, OPTIONS\r\n");
  }

  @Test
  void unknownMethodIs501() {
    var conn = helloServer();
    conn.writeInbound("BREW /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 501 Not Implemented");
  }

  @Test
  void optionsListsWhatIsAllowed() {
    var conn = helloServer();
    conn.writeInbound("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    String star = conn.readOutboundAscii();
    assertThat(status(star)).isEqualTo("HTTP/1.1 200 OK");
    assertThat(star).contains("\r\nAllow: GET, HEAD, OPTIONS, POST\r\n");
    conn.writeInbound("OPTIONS /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    String path = conn.readOutboundAscii();
    assertThat(status(path)).isEqualTo("HTTP/1.1 204 No Content");
    assertThat(path).contains("\r\nAllow: GET, HEAD, OPTIONS\r\n");
  }

  @Test
  void malformedRequestGets400AndTheConnectionCloses() {
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost : x\r\n\r\n");
    String response = conn.readOutboundAscii();
    assertThat(status(response)).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(response)
        .contains("\r\nConnection: close\r\n")
        .contains("whitespace before the colon");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void anErrorWaitsForEarlierPipelinedAnswers() {
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/9.9\r\n\r\n");
    String out = conn.readOutboundAscii();
    assertThat(out).startsWith("HTTP/1.1 200 OK");
    assertThat(out.indexOf("HTTP/1.1 505 HTTP Version Not Supported"))
        .isGreaterThan(out.indexOf("Hello, World!"));
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void expectContinueGetsAnInterimResponse() {
    var conn = helloServer();
    conn.writeInbound(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    assertThat(conn.readOutboundAscii()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
    conn.writeInbound("hi");
    assertThat(conn.readOutboundAscii()).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nhi");
  }

  @Test
  void streamedResponsesAreChunked() {
    var conn = helloServer();
    conn.writeInbound("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    String response = conn.readOutboundAscii();
    assertThat(response)
        .contains("\r\nTransfer-Encoding: chunked\r\n")
        .endsWith("\r\n\r\na\r\npart one, \r\n8\r\npart two\r\n0\r\n\r\n");
  }

  @Test
  void aThrowingHandlerGets500AndOnlyItsConnectionCloses() {
    var conn = helloServer();
    try (var log =
        CapturedLog.expect(Http1ServerProtocol.class, Level.WARNING, IllegalStateException.class)) {
      conn.writeInbound("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(log.records())
          .singleElement()
          .satisfies(r -> assertThat(r.getThrown()).hasMessage("handler bug"));
    }
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 500 Internal Server Error");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void aSlowRequestHeadGets408() {
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\n");
    clock.advance(Duration.ofSeconds(9));
    conn.runPendingTasks();
    assertThat(conn.readOutboundAscii()).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    conn.runPendingTasks();
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 408 Request Timeout");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void aBodyTrickledBelowTheMinimumRateGets408() {
    var conn = helloServer();
    conn.writeInbound("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    conn.writeInbound("x".repeat(100));
    clock.advance(Duration.ofSeconds(11));
    conn.runPendingTasks();
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 408 Request Timeout");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void anIdleKeptAliveConnectionIsClosed() {
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    conn.readOutbound();
    clock.advance(Duration.ofSeconds(59));
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isFalse();
    clock.advance(Duration.ofSeconds(2));
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isTrue();
    assertThat(conn.closeReason())
        .get()
        .extracting(CloseReason::kind)
        .isEqualTo(CloseReason.Kind.TIMEOUT);
  }

  @Test
  void keepAliveCountsFromTheLastResponseNotTheFirst() {
    // One check per keep-alive period: when it finds the connection idle for less than the
    // period, it waits for the rest rather than closing.
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    conn.readOutbound();
    clock.advance(Duration.ofSeconds(50));
    conn.runPendingTasks();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 200 OK");
    clock.advance(Duration.ofSeconds(50)); // 100 s after the first, 50 s after the second
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isFalse();
    clock.advance(Duration.ofSeconds(11));
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isTrue();
    assertThat(conn.closeReason())
        .get()
        .extracting(CloseReason::kind)
        .isEqualTo(CloseReason.Kind.TIMEOUT);
  }

  @Test
  void aRequestInProgressIsNotClosedAsIdle() {
    // The keep-alive check fires while a request head is half in: not idle, so it stays open
    // until the head deadline, which answers 408.
    var conn = helloServer();
    clock.advance(Duration.ofSeconds(55));
    conn.writeInbound("GET /hello HTTP/1.1\r\n");
    clock.advance(Duration.ofSeconds(6));
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isFalse();
    conn.writeInbound("Host: x\r\n\r\n");
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 200 OK");
    clock.advance(Duration.ofSeconds(59));
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isFalse();
    clock.advance(Duration.ofSeconds(2));
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void withoutAnAccessLogRequestsAreAnsweredAlike() {
    var routes = new Routes();
    routes.add(
        "GET", "/hello", new Routes.Route((request, response) -> response.send("Hello"), false));
    var config =
        new HttpServer.Config(
            routes,
            new Routes.Route((request, response) -> response.status(404).end(), false),
            HttpLimits.DEFAULTS,
            HttpTimeouts.DEFAULTS,
            null);
    var conn = EmbeddedConnection.of(clock, new Http1ServerProtocol(config));
    conn.writeInbound(
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    String out = conn.readOutboundAscii();
    assertThat(out)
        .startsWith("HTTP/1.1 200 OK\r\n")
        .contains("\r\n\r\nHello")
        .contains("HTTP/1.1 404 Not Found\r\n");
  }

  @Test
  void gracefulShutdownClosesAnIdleConnectionAndFinishesABusyOne() {
    var idle = helloServer();
    idle.requestShutdown();
    assertThat(idle.isClosed()).isTrue();

    var busy = helloServer();
    busy.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\n");
    busy.requestShutdown();
    assertThat(busy.isClosed()).isFalse();
    busy.writeInbound("\r\n");
    String response = busy.readOutboundAscii();
    assertThat(response).startsWith("HTTP/1.1 200 OK").contains("\r\nConnection: close\r\n");
    assertThat(busy.isClosed()).isTrue();
  }
}
