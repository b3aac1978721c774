package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.CloseReason;
import dev.wharf.core.MemoryBudget;
import dev.wharf.core.testing.CapturedLog;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.codec.MessageParseException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class Http1ServerProtocolTest {
  private static final String GET_HELLO = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

  private final FakeClock clock = new FakeClock();
  private final List<AccessLogEntry> log = new ArrayList<>();

  /** What buffered bodies of this test's connections may hold together. */
  private MemoryBudget budget = MemoryBudget.of(64L << 20);

  private EmbeddedConnection connection(Routes routes) {
    var config =
        new HttpServer.Config(
            routes,
            new Routes.Route(
                (request, response) -> response.status(404).send("no " + request.path()), false),
            HttpLimits.DEFAULTS,
            HttpTimeouts.DEFAULTS,
            log::add,
            budget);
    return EmbeddedConnection.of(clock, new Http1ServerProtocol(config));
  }

  private EmbeddedConnection helloServer() {
    return connection(helloRoutes());
  }

  private static Routes helloRoutes() {
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
    return routes;
  }

  /** Splits a stream of responses into their texts (heads with bodies). */
  private static String status(String response) {
    return response.substring(0, response.indexOf("\r\n"));
  }

  @Test
  void answersAGetWithLengthDateAndServer() {
    var conn = helloServer();
    String response = answer(conn, GET_HELLO);
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
    String out =
        answer(
            conn,
            GET_HELLO
                + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
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
    assertThat(answer(close, "GET /hello HTTP/1.0\r\n\r\n")).contains("\r\nConnection: close\r\n");
    assertThat(close.isClosed()).isTrue();

    var keep = helloServer();
    assertThat(answer(keep, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
        .contains("\r\nConnection: keep-alive\r\n");
    assertThat(keep.isClosed()).isFalse();
  }

  @Test
  void connectionCloseIsHonoured() {
    var conn = helloServer();
    assertThat(answer(conn, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .contains("\r\nConnection: close\r\n");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void headAnswersLikeGetWithoutTheContent() {
    var conn = helloServer();
    String response = answer(conn, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(status(response)).isEqualTo("HTTP/1.1 200 OK");
    assertThat(response).contains("\r\nContent-Length: 13\r\n").endsWith("\r\n\r\n");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    var conn = helloServer();
    String response = answer(conn, "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(status(response)).isEqualTo("HTTP/1.1 405 Method Not Allowed");
    assertThat(response).contains("\r\nAllow: GET, HEAD, OPTIONS\r\n");
  }

  @Test
  void eachRefusalOfTheCodecGetsItsStatusOnTheWire() {
    String big = "x".repeat(HttpLimits.DEFAULTS.maxHeaderBytes());
    String[][] cases = {
      {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", "HTTP/1.1 400 "},
      {"GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 414 "},
      {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", "HTTP/1.1 431 "},
      {"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", "HTTP/1.1 413 "},
      {
        "POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "HTTP/1.1 501 "
      },
      {"GET / HTTP/9.9\r\nHost: x\r\n\r\n", "HTTP/1.1 505 "},
    };
    for (String[] c : cases) {
      var conn = helloServer();
      assertThat(answer(conn, c[0])).as(c[1]).startsWith(c[1]);
      assertThat(conn.isClosed()).isTrue();
    }
    // Every kind has a status: the switch is exhaustive, and this runs it for each.
    for (MessageParseException.Kind kind : MessageParseException.Kind.values()) {
      assertThat(Http1ServerProtocol.status(kind)).isBetween(400, 599);
    }
  }

  @Test
  void unknownMethodIs501() {
    var conn = helloServer();
    assertThat(status(answer(conn, "BREW /hello HTTP/1.1\r\nHost: x\r\n\r\n")))
        .isEqualTo("HTTP/1.1 501 Not Implemented");
    // Methods are case-sensitive (RFC 9110 §9.1): "get" is not GET.
    assertThat(status(answer(helloServer(), "get /hello HTTP/1.1\r\nHost: x\r\n\r\n")))
        .isEqualTo("HTTP/1.1 501 Not Implemented");
    for (String known :
        new String[] {
          "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"
        }) {
      // A String made here, not the decoder's shared one: the check must not rest on identity.
      assertThat(Dispatcher.isKnownMethod(new String(known))).as(known).isTrue();
      assertThat(status(answer(helloServer(), known + " /hello HTTP/1.1\r\nHost: x\r\n\r\n")))
          .as(known)
          .isNotEqualTo("HTTP/1.1 501 Not Implemented");
    }
  }

  @Test
  void optionsListsWhatIsAllowed() {
    var conn = helloServer();
    String star = answer(conn, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(status(star)).isEqualTo("HTTP/1.1 200 OK");
    assertThat(star).contains("\r\nAllow: GET, HEAD, OPTIONS, POST\r\n");
    String path = answer(conn, "OPTIONS /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(status(path)).isEqualTo("HTTP/1.1 204 No Content");
    assertThat(path).contains("\r\nAllow: GET, HEAD, OPTIONS\r\n");
  }

  @Test
  void aRouteForStarTakesOptionsStar() {
    var routes = new Routes();
    routes.add(
        "OPTIONS",
        "*",
        new Routes.Route((request, response) -> response.sendError(401, "who are you?"), false));
    var conn = connection(routes);
    assertThat(status(answer(conn, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")))
        .isEqualTo("HTTP/1.1 401 Unauthorized");
  }

  @Test
  void aBodyRefusedForItsDeclaredLengthIsLoggedWithItsRequestLine() {
    var conn = helloServer();
    assertThat(
            status(
                answer(
                    conn, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")))
        .isEqualTo("HTTP/1.1 413 Content Too Large");
    assertThat(log)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.status()).isEqualTo(413);
              assertThat(e.requestLine()).isEqualTo("POST /echo HTTP/1.1");
            });
  }

  @Test
  void aChunkedBodyOverTheLimitIsLoggedWithItsRequestLine() {
    var conn = helloServer();
    assertThat(
            status(
                answer(
                    conn,
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "FFFFFFFF\r\n")))
        .startsWith("HTTP/1.1 413");
    assertThat(log)
        .singleElement()
        .extracting(AccessLogEntry::requestLine)
        .isEqualTo("POST /echo HTTP/1.1");
  }

  @Test
  void aHeadThatNeverEndedIsLoggedAsADash() {
    var conn = helloServer();
    assertThat(status(answer(conn, "GET /hello HTTP/1.1\r\nHost : x\r\n\r\n")))
        .isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(log).singleElement().extracting(AccessLogEntry::requestLine).isEqualTo("-");
  }

  @Test
  void malformedRequestGets400AndTheConnectionCloses() {
    var conn = helloServer();
    String response = answer(conn, "GET /hello HTTP/1.1\r\nHost : x\r\n\r\n");
    assertThat(status(response)).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(response)
        .contains("\r\nConnection: close\r\n")
        .contains("whitespace before the colon");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void anErrorWaitsForEarlierPipelinedAnswers() {
    var conn = helloServer();
    String out = answer(conn, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/9.9\r\n\r\n");
    assertThat(out).startsWith("HTTP/1.1 200 OK");
    assertThat(out.indexOf("HTTP/1.1 505 HTTP Version Not Supported"))
        .isGreaterThan(out.indexOf("Hello, World!"));
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void expectContinueGetsAnInterimResponse() {
    var conn = helloServer();
    assertThat(
            answer(
                conn,
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"))
        .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
    assertThat(answer(conn, "hi")).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nhi");
  }

  @Test
  void streamedResponsesAreChunked() {
    var conn = helloServer();
    String response = answer(conn, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(response)
        .contains("\r\nTransfer-Encoding: chunked\r\n")
        .endsWith("\r\n\r\na\r\npart one, \r\n8\r\npart two\r\n0\r\n\r\n");
  }

  @Test
  void aChunkedResponseLeavesTheNextPipelinedOneUnchunked() {
    // One framing object serves the connection's responses in turn: its state must not carry over.
    var conn = helloServer();
    String out =
        answer(
            conn,
            "GET /stream HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n"
                + GET_HELLO
                + "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    int second = out.indexOf("HTTP/1.1 200 OK", 1);
    int third = out.indexOf("HTTP/1.1 200 OK", second + 1);
    String hello = out.substring(second, third);
    assertThat(out.substring(0, second))
        .contains("\r\nTransfer-Encoding: chunked\r\n")
        .endsWith("\r\n0\r\n\r\n");
    assertThat(hello)
        .doesNotContain("Transfer-Encoding")
        .contains("\r\nContent-Length: 13\r\n")
        .endsWith("\r\n\r\nHello, World!");
    assertThat(out.substring(third))
        .contains("\r\nTransfer-Encoding: chunked\r\n")
        .endsWith("\r\npart two\r\n0\r\n\r\n");
  }

  @Test
  void aHandlersOwnDateAndServerReplaceTheSharedOnesForItsResponseOnly() {
    var routes = helloRoutes();
    routes.add(
        "GET",
        "/own",
        new Routes.Route(
            (request, response) ->
                response
                    .header("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
                    .header("Server", "own")
                    .send("mine"),
            false));
    var conn = connection(routes);
    String out =
        answer(
            conn,
            "GET /own HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    int second = out.indexOf("HTTP/1.1 200 OK", 1);
    String own = out.substring(0, second);
    String next = out.substring(second);
    assertThat(own)
        .contains("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
        .contains("\r\nServer: own\r\n")
        .doesNotContain("wharf")
        .doesNotContain("Connection");
    assertThat(own.split("Date: ", -1)).hasSize(2);
    assertThat(next)
        .doesNotContain("1994")
        .contains("\r\nServer: wharf\r\n")
        .contains("\r\nConnection: keep-alive\r\n")
        .containsPattern("\r\nDate: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n");
  }

  @Test
  void anEndedResponsesFieldsNeverReachTheNextAndItRefusesNewOnes() {
    // A response's field builder is the loop's, lent while it is answered and lent again to the
    // next response once it ended: a handler that kept the old response must not reach the next.
    var kept = new ArrayList<ServerResponse>();
    var refusals = new ArrayList<String>();
    var routes = helloRoutes();
    routes.add(
        "GET",
        "/first",
        new Routes.Route(
            (request, response) -> {
              kept.add(response);
              response.header("X-First", "1").header("Content-Type", "text/x-first").send("one");
            },
            false));
    routes.add(
        "GET",
        "/second",
        new Routes.Route(
            (request, response) -> {
              for (Runnable late :
                  List.<Runnable>of(
                      () -> kept.getFirst().header("X-Late", "1"),
                      () -> kept.getFirst().send("late"),
                      () -> kept.getFirst().sendError(500, "late"))) {
                try {
                  late.run();
                } catch (IllegalStateException e) {
                  refusals.add(e.getMessage());
                }
              }
              response.send("two");
            },
            false));
    var conn = connection(routes);
    String out =
        answer(
            conn, "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
    int second = out.indexOf("HTTP/1.1 200 OK", 1);
    assertThat(out.substring(0, second)).contains("\r\nX-First: 1\r\n").endsWith("one");
    assertThat(out.substring(second))
        .doesNotContain("X-First")
        .doesNotContain("X-Late")
        .doesNotContain("text/x-first")
        .contains("\r\nContent-Type: text/plain; charset=utf-8\r\n")
        .endsWith("\r\n\r\ntwo");
    assertThat(refusals).containsOnly("response already started").hasSize(3);
  }

  @Test
  void aWholeBodyOfAnySizeFollowsItsHeadIntactWhetherItFitsTheHeadsArrayOrNot() {
    // A small body goes out behind its head in one write, from the array the head was made in
    // (the loop's head cache or scratch); a larger one in a write of its own. Both, pipelined.
    int[] sizes = {1, 13, 300, 380, 400, 900, 1000, 5000, 70_000};
    var routes = helloRoutes();
    for (int size : sizes) {
      byte[] body = new byte[size];
      for (int i = 0; i < size; i++) {
        body[i] = (byte) ('a' + (i + size) % 26);
      }
      routes.add(
          "GET",
          "/" + size,
          new Routes.Route((request, response) -> response.send(200, "text/x-test", body), false));
      routes.add(
          "GET",
          "/own-date/" + size,
          new Routes.Route(
              (request, response) ->
                  response
                      .header("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
                      .send(200, "text/x", body),
              false));
    }
    var conn = connection(routes);
    var requests = new StringBuilder();
    var expected = new StringBuilder();
    for (int round = 0; round < 2; round++) {
      for (int size : sizes) {
        for (String path : List.of("/" + size, "/own-date/" + size)) {
          requests.append("GET ").append(path).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
          var body = new StringBuilder();
          for (int i = 0; i < size; i++) {
            body.append((char) ('a' + (i + size) % 26));
          }
          expected.append("Content-Length: ").append(size).append("\r\n\r\n").append(body);
        }
      }
    }
    String out = answer(conn, requests.toString());
    // Every head ends with Content-Length then the empty line; what follows is the whole body.
    var seen = new StringBuilder();
    var matcher = java.util.regex.Pattern.compile("Content-Length: (\\d+)\r\n\r\n").matcher(out);
    while (matcher.find()) {
      int length = Integer.parseInt(matcher.group(1));
      seen.append(matcher.group()).append(out, matcher.end(), matcher.end() + length);
    }
    assertThat(seen.toString()).isEqualTo(expected.toString());
    assertThat(out.split("HTTP/1.1 200 OK", -1)).hasSize(4 * sizes.length + 1);
  }

  @Test
  void theRouteOfOneRequestIsNotTakenForTheNextOnTheConnection() {
    // The connection remembers the last route it found; other methods and paths look up their own.
    var conn = helloServer();
    String out =
        answer(
            conn,
            GET_HELLO
                + "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                + GET_HELLO
                + "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /hello?again HTTP/1.1\r\nHost: x\r\n\r\n");
    // Bodies end without a line break: find the status lines wherever they start.
    assertThat(
            java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3} [^\r]*")
                .matcher(out)
                .results()
                .map(java.util.regex.MatchResult::group)
                .toList())
        .containsExactly(
            "HTTP/1.1 200 OK",
            "HTTP/1.1 405 Method Not Allowed",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 404 Not Found",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK");
    assertThat(out.split("Hello, World!", -1)).as("HEAD sends no content").hasSize(4);
  }

  @Test
  void aThrowingHandlerGets500AndOnlyItsConnectionCloses() {
    var conn = helloServer();
    try (var log =
        CapturedLog.expect(Dispatcher.class, Level.WARNING, IllegalStateException.class)) {
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
    advance(conn, 9);
    assertThat(conn.readOutboundAscii()).isEmpty();
    advance(conn, 2);
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 408 Request Timeout");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void aBodyTrickledBelowTheMinimumRateGets408() {
    var conn = helloServer();
    conn.writeInbound("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    conn.writeInbound("x".repeat(100));
    passSeconds(conn, 10);
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 408 Request Timeout");
    assertThat(conn.isClosed()).isTrue();
  }

  /** Moves the fake clock on by {@code seconds} at once, then runs what came due. */
  private void advance(EmbeddedConnection conn, int seconds) {
    clock.advance(Duration.ofSeconds(seconds));
    conn.runPendingTasks();
  }

  /** Sends {@code request} and returns all that the server wrote back since the last read. */
  private static String answer(EmbeddedConnection conn, String request) {
    conn.writeInbound(request);
    return conn.readOutboundAscii();
  }

  private static void assertClosedByTimeout(EmbeddedConnection conn) {
    assertThat(conn.isClosed()).isTrue();
    assertThat(conn.closeReason())
        .get()
        .extracting(CloseReason::kind)
        .isEqualTo(CloseReason.Kind.TIMEOUT);
  }

  /** Lets the fake clock run a second at a time, as the loop's timers would. */
  private void passSeconds(EmbeddedConnection conn, int seconds) {
    for (int i = 0; i < seconds; i++) {
      advance(conn, 1);
    }
  }

  @Test
  void aFastBurstBuysNoMoreThanOneWindowOfSilence() {
    var conn = helloServer();
    conn.writeInbound("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
    conn.writeInbound("x".repeat(1_000_000)); // ~1000 s at the minimum rate, on average
    passSeconds(conn, 10);
    assertThat(conn.readOutboundAscii()).as("within the first window").isEmpty();
    passSeconds(conn, 1);
    String refused = conn.readOutboundAscii();
    assertThat(status(refused)).isEqualTo("HTTP/1.1 408 Request Timeout");
    assertThat(refused).contains("0 bytes in the last 10 s");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void aSlowButSteadyBodyIsNotCutOff() {
    var conn = helloServer();
    conn.writeInbound("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 62464\r\n\r\n");
    for (int i = 0; i < 60; i++) {
      conn.writeInbound("s".repeat(1024)); // exactly the minimum rate, for a minute
      passSeconds(conn, 1);
      assertThat(conn.readOutboundAscii()).as("after %d s", i + 1).isEmpty();
    }
    assertThat(status(answer(conn, "s".repeat(1024)))).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void anIdleKeptAliveConnectionIsClosed() {
    var conn = helloServer();
    answer(conn, GET_HELLO);
    advance(conn, 59);
    assertThat(conn.isClosed()).isFalse();
    advance(conn, 2);
    assertClosedByTimeout(conn);
  }

  @Test
  void keepAliveCountsFromTheLastResponseNotTheFirst() {
    // One check per keep-alive period: when it finds the connection idle for less than the
    // period, it waits for the rest rather than closing.
    var conn = helloServer();
    answer(conn, GET_HELLO);
    advance(conn, 50);
    assertThat(status(answer(conn, GET_HELLO))).isEqualTo("HTTP/1.1 200 OK");
    advance(conn, 50); // 100 s after the first, 50 s after the second
    assertThat(conn.isClosed()).isFalse();
    advance(conn, 11);
    assertClosedByTimeout(conn);
  }

  @Test
  void aRequestInProgressIsNotClosedAsIdle() {
    // The keep-alive check fires while a request head is half in: not idle, so it stays open
    // until the head deadline, which answers 408.
    var conn = helloServer();
    clock.advance(Duration.ofSeconds(55));
    conn.writeInbound("GET /hello HTTP/1.1\r\n");
    advance(conn, 6);
    assertThat(conn.isClosed()).isFalse();
    assertThat(status(answer(conn, "Host: x\r\n\r\n"))).isEqualTo("HTTP/1.1 200 OK");
    advance(conn, 59);
    assertThat(conn.isClosed()).isFalse();
    advance(conn, 2);
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
    String out =
        answer(conn, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
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
    String response = answer(busy, "\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK").contains("\r\nConnection: close\r\n");
    assertThat(busy.isClosed()).isTrue();
  }

  // ---- the peer's FIN (RFC 9112 §9.6) ----

  /** Requests to /later wait here for the test to answer them, as a handler on a thread would. */
  private final List<ServerResponse> waiting = new ArrayList<>();

  /** The hello server with /later too. */
  private EmbeddedConnection laterServer() {
    var routes = helloRoutes();
    routes.add(
        "GET", "/later", new Routes.Route((request, response) -> waiting.add(response), false));
    return connection(routes);
  }

  @Test
  void aRequestFollowedByFinIsAnsweredWhenTheHandlerAnswersLater() {
    var conn = laterServer();
    conn.writeInbound("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
    conn.closeInbound();
    assertThat(conn.isClosed()).as("closed before the answer").isFalse();
    waiting.removeFirst().send("late");
    assertThat(conn.readOutboundAscii()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("late");
    assertThat(conn.isClosed()).isTrue();
    assertThat(log).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(200));
  }

  @Test
  void pipelinedRequestsFollowedByFinAreAllAnsweredInOrder() {
    var conn = laterServer();
    var requests = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      requests.append("GET /later?").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    conn.writeInbound(requests.toString());
    conn.closeInbound();
    for (int i = 0; i < 100; i++) {
      assertThat(conn.isClosed()).as("closed before answer %d", i).isFalse();
      ServerResponse response = waiting.removeFirst();
      response.send("answer " + response.request().target());
    }
    String out = conn.readOutboundAscii();
    int from = 0;
    for (int i = 0; i < 100; i++) {
      int at = out.indexOf("answer /later?" + i, from);
      assertThat(at).as("answer %d", i).isGreaterThanOrEqualTo(from);
      from = at + 1;
    }
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void finBetweenRequestsClosesAtOnce() {
    var conn = laterServer();
    assertThat(answer(conn, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi\r\n"))
        .endsWith("hi");
    conn.closeInbound();
    assertThat(conn.isClosed()).isTrue();
    assertThat(conn.readOutboundAscii()).isEmpty();
  }

  @Test
  void finInsideARequestBodyIs400AfterTheRequestsBeforeIt() {
    var conn = laterServer();
    conn.writeInbound(
        "GET /later HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    conn.closeInbound();
    waiting.removeFirst().send("first");
    String out = conn.readOutboundAscii();
    assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("first");
    assertThat(out.substring(out.indexOf("first")))
        .contains("HTTP/1.1 400 Bad Request\r\n")
        .contains("before the request body ended");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void finInsideARequestHeadIs400() {
    var conn = laterServer();
    conn.writeInbound("GET /later HTTP/1.1\r\nHo");
    conn.closeInbound();
    assertThat(status(conn.readOutboundAscii())).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(conn.isClosed()).isTrue();
    assertThat(waiting).isEmpty();
  }

  @Test
  void aFinWhileAnUpgradeIsDecidedReachesTheNextProtocol() {
    var routes = new Routes();
    routes.add("GET", "/up", new Routes.Route((request, response) -> waiting.add(response), false));
    var conn = connection(routes);
    conn.writeInbound(
        "GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nnext");
    conn.closeInbound();
    assertThat(conn.isClosed()).as("closed before the upgrade was decided").isFalse();
    var events = new ArrayList<String>();
    waiting
        .removeFirst()
        .upgrade(
            new dev.wharf.core.Protocol() {
              @Override
              public void received(dev.wharf.core.Connection c, ByteBuffer data) {
                events.add("received " + StandardCharsets.US_ASCII.decode(data));
              }

              @Override
              public void inputClosed(dev.wharf.core.Connection c) {
                events.add("inputClosed");
                c.closeAfterFlush();
              }
            });
    conn.runPendingTasks();
    assertThat(conn.readOutboundAscii()).startsWith("HTTP/1.1 101 Switching Protocols\r\n");
    assertThat(events).containsExactly("received next", "inputClosed");
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void aResponseDroppedBecauseWeClosedIsLogged444NotAsSent() {
    var reset = laterServer();
    reset.writeInbound("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
    reset.close(CloseReason.error(new java.io.IOException("Connection reset by peer")));
    waiting.removeFirst().send("into the void");
    var dropped = laterServer();
    dropped.writeInbound("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
    dropped.close(CloseReason.timeout("write stall"));
    waiting.removeFirst().send("into the void");
    assertThat(log)
        .extracting(AccessLogEntry::status, AccessLogEntry::bodyBytes)
        .containsExactly(
            // The peer's doing: the status as answered, but none of the body went out.
            org.assertj.core.groups.Tuple.tuple(200, 0L),
            org.assertj.core.groups.Tuple.tuple(444, 0L));
  }

  @Test
  void aResponseEndingAboveTheHighWatermarkIsLoggedOnceTheClientCaughtUp() {
    var conn = helloServer();
    conn.setWritable(false); // A slow client: what the response queued has not gone out.
    assertThat(status(answer(conn, GET_HELLO))).isEqualTo("HTTP/1.1 200 OK");
    assertThat(log).as("logged before it went out").isEmpty();

    conn.setWritable(true);
    assertThat(log)
        .extracting(AccessLogEntry::status, AccessLogEntry::bodyBytes)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(200, 13L));
  }

  @Test
  void aBodyThatFindsTheMemoryBudgetSpentIs503WithRetryAfterAndOnlyItsConnectionCloses() {
    budget = MemoryBudget.of(1000);
    var first = helloServer();
    first.writeInbound("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n");
    first.writeInbound("a".repeat(600));
    assertThat(budget.reservedBytes()).isEqualTo(600);

    var second = helloServer();
    second.writeInbound("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n");
    String refused = answer(second, "b".repeat(600));
    assertThat(status(refused)).isEqualTo("HTTP/1.1 503 Service Unavailable");
    assertThat(refused).contains("\r\nRetry-After: 5\r\n");
    assertThat(second.isClosed()).isTrue();
    assertThat(budget.reservedBytes()).as("the refused body holds nothing").isEqualTo(600);

    assertThat(answer(first, "a".repeat(300)))
        .startsWith("HTTP/1.1 200 OK")
        .endsWith("a".repeat(900));
    assertThat(budget.reservedBytes()).as("released once answered").isZero();
    assertThat(first.isClosed()).isFalse();
  }

  @Test
  void aStreamedBodyThatFindsTheBudgetSpentIs503BeforeItsHandlerStarts() {
    budget = MemoryBudget.of(1000);
    var started = new java.util.concurrent.atomic.AtomicInteger();
    var routes = helloRoutes();
    // A handler that would write the body somewhere (Uploads makes a file first): it must not
    // even start for a body the server has no room for.
    routes.add(
        "PUT",
        "/upload",
        new Routes.Route((request, response) -> started.incrementAndGet(), false, true, 1 << 20));
    var first = connection(routes);
    first.writeInbound("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n");
    first.writeInbound("a".repeat(600));

    var second = connection(routes);
    String refused =
        answer(second, "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n");
    assertThat(status(refused)).isEqualTo("HTTP/1.1 503 Service Unavailable");
    assertThat(refused).contains("\r\nRetry-After: 5\r\n");
    assertThat(started).as("handlers started").hasValue(0);
    assertThat(log).extracting(AccessLogEntry::status).containsExactly(503);
    assertThat(budget.reservedBytes()).as("the refused body holds nothing").isEqualTo(600);

    // With room again (a small body fits what is left), the handler takes it.
    var third = connection(routes);
    third.writeInbound("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
    assertThat(started).hasValue(1);
  }

  @Test
  void aConnectionDroppedMidBodyOrWithQueuedBodiesGivesItsBudgetBack() {
    budget = MemoryBudget.of(10_000);
    var routes = new Routes();
    // A handler that never answers: the pipelined bodies behind it wait, holding their bytes.
    routes.add("POST", "/hold", new Routes.Route((request, response) -> {}, false));
    routes.add("POST", "/echo", new Routes.Route((rq, rs) -> rs.send(rq.bodyAsString()), false));
    var conn = connection(routes);
    conn.writeInbound("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    String post = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n";
    conn.writeInbound("h".repeat(1000) + (post + "c".repeat(1000)).repeat(3) + post);
    conn.writeInbound("d".repeat(500));
    assertThat(budget.reservedBytes()).isEqualTo(4500);

    conn.close(CloseReason.PEER);
    assertThat(conn.isClosed()).isTrue();
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void aGetBodyIsReadAndCountedButNotKept() {
    budget = MemoryBudget.of(100);
    var conn = helloServer();
    conn.writeInbound("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
    conn.writeInbound("g".repeat(4000));
    assertThat(budget.reservedBytes()).isZero();
    assertThat(conn.readOutboundAscii()).isEmpty();
    String out = answer(conn, "g".repeat(1000) + GET_HELLO);
    assertThat(out.split("HTTP/1.1 200 OK", -1)).as("two answers").hasSize(3);
    // Still limited: a GET may not send more than any body.
    var over = helloServer();
    assertThat(
            status(
                answer(over, "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n")))
        .isEqualTo("HTTP/1.1 413 Content Too Large");
  }
}
