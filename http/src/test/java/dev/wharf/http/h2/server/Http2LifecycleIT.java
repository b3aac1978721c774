package dev.wharf.http.h2.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.Headers;
import dev.wharf.http.server.HttpServer;
import dev.wharf.http.server.HttpTimeouts;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP/2 connection's life and the extras of its messages, against real peers: graceful shutdown
 * in two GOAWAYs around a PING (RFC 9113 §6.8) seen frame by frame by a raw Python peer and lived
 * through by curl and nghttp in the middle of a slow response; the SETTINGS_TIMEOUT of a client
 * that never acknowledges our SETTINGS (§6.5.3); response and request trailers on HTTP/2
 * (python3-h2, nghttp, curl) and HTTP/1.1 (curl, a raw chunked request); {@code Expect:
 * 100-continue} on HTTP/2, granted before a body is read and withheld from a request refused
 * unread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2LifecycleIT {
  /** Generous: the full build runs on a loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final EventLoopGroup group = new EventLoopGroup(2, "h2-life", true);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch slowStarted = new CountDownLatch(1);
  private final AtomicInteger slowRequests = new AtomicInteger();
  private HttpServer server;
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .http2(true)
            // A short SETTINGS ACK bound, for the SETTINGS_TIMEOUT case.
            .timeouts(HttpTimeouts.DEFAULTS.withHttp2SettingsAck(Duration.ofSeconds(1)))
            .get("/hello", (request, response) -> response.send("hello\n"))
            .routeBlocking(
                "GET",
                "/slow",
                (request, response) -> {
                  slowRequests.incrementAndGet();
                  slowStarted.countDown();
                  release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                  response.send("slow\n");
                })
            .routeBlocking(
                "GET",
                "/trailers",
                (request, response) -> {
                  response.header("Trailer", "x-checksum, x-parts");
                  response.write(ByteBuffer.wrap("part one,".getBytes(StandardCharsets.UTF_8)));
                  response.write(ByteBuffer.wrap("part two".getBytes(StandardCharsets.UTF_8)));
                  response.end(
                      Headers.builder()
                          .add("x-checksum", "sha256:0123")
                          .add("x-parts", "2")
                          // Framing never goes as a trailer.
                          .add("Content-Length", "17")
                          .build());
                })
            .post(
                "/echo-trailers",
                (request, response) ->
                    response.send(request.bodyAsString() + " " + trailersOf(request)))
            .routeStreaming(
                "PUT",
                "/stream-trailers",
                1 << 20,
                (request, response) -> {
                  String body;
                  try (InputStream in = request.bodyStream()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                  }
                  response.send(body + " " + trailersOf(request));
                })
            .post("/echo", (request, response) -> response.send(request.body()))
            .routeStreaming(
                "PUT",
                "/stream-echo",
                1 << 20,
                (request, response) -> {
                  try (InputStream in = request.bodyStream()) {
                    response.send(in.readAllBytes());
                  }
                })
            .routeStreaming(
                "PUT",
                "/refuse",
                1 << 20,
                (request, response) -> response.sendError(417, "not taking bodies here"))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private static String trailersOf(ServerRequest request) {
    return "trailers="
        + request.trailers().fields().stream()
            .map(field -> field.name() + ":" + field.value())
            .collect(Collectors.joining(";"));
  }

  private ExternalProcess peer(String name) throws IOException {
    return ExternalProcess.start(
        List.of("/usr/bin/python3", script().toString(), "127.0.0.1", port(), name));
  }

  private ExternalProcess.Result runPeer(String name) throws Exception {
    var result =
        ExternalProcess.run(
            WAIT, "/usr/bin/python3", script().toString(), "127.0.0.1", port(), name);
    assertThat(result.err()).as("the peer's errors").isEmpty();
    return result;
  }

  private Path script() {
    try {
      return Path.of(getClass().getResource("/h2/h2_lifecycle.py").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private String port() {
    return Integer.toString(server.port());
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  // ---- graceful shutdown, RFC 9113 §6.8 ----

  /**
   * The raw peer sees GOAWAY(2^31-1), a PING, and after its ACK GOAWAY(3): stream 3, sent before
   * the ACK, is taken and answered; stream 5, after the second GOAWAY, is refused; the slow stream
   * 1 finishes when its handler answers, and only then does the connection close.
   */
  @Test
  void shutdownSendsTwoGoAwaysAroundAPingAndFinishesTheStreamsTaken() throws Exception {
    try (var peer = peer("shutdown")) {
      assertThat(Await.within(WAIT, () -> slowStarted.getCount() == 0)).as("handler").isTrue();
      var stopped = group.shutdownGracefully(WAIT);
      peer.awaitOutputContaining("RST_STREAM 5 REFUSED_STREAM", WAIT);
      peer.awaitOutputContaining("END_STREAM 3", WAIT);
      assertThat(peer.output()).as("stream 1 is still in flight").doesNotContain("HEADERS 1");
      release.countDown();
      String out = peer.awaitOutputContaining("CLOSED", WAIT);
      assertThat(out.lines())
          .containsSubsequence(
              "GOAWAY NO_ERROR LAST 2147483647", "PING", "GOAWAY NO_ERROR LAST 3", "CLOSED")
          .containsSubsequence("HEADERS 3 200", "END_STREAM 3")
          .containsSubsequence("HEADERS 1 200", "END_STREAM 1", "CLOSED")
          .doesNotContain("HEADERS 5 200");
      stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** A peer that never answers the PING gets the second GOAWAY anyway, after the bound (1 s). */
  @Test
  void shutdownSendsTheSecondGoAwayWithoutThePingAck() throws Exception {
    try (var peer = peer("shutdown_no_ack")) {
      assertThat(Await.within(WAIT, () -> slowStarted.getCount() == 0)).as("handler").isTrue();
      var stopped = group.shutdownGracefully(WAIT);
      peer.awaitOutputContaining("GOAWAY NO_ERROR LAST 3", WAIT);
      release.countDown();
      String out = peer.awaitOutputContaining("CLOSED", WAIT);
      assertThat(out.lines())
          .containsSubsequence("GOAWAY NO_ERROR LAST 2147483647", "PING", "GOAWAY NO_ERROR LAST 3")
          .contains("END_STREAM 1", "END_STREAM 3", "RST_STREAM 5 REFUSED_STREAM");
      stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** curl and nghttp each in the middle of a slow response when the server stops: both get it. */
  @Test
  void curlAndNghttpGetTheirSlowResponsesThroughAShutdown() throws Exception {
    var curl =
        ExternalProcess.start(
            List.of("curl", "-sS", "--max-time", "60", "--http2-prior-knowledge", url("/slow")));
    var nghttp = ExternalProcess.command("nghttp", "-v", url("/slow")).mergeErrors().start();
    try (curl;
        nghttp) {
      assertThat(Await.within(WAIT, () -> slowRequests.get() == 2)).as("both handlers").isTrue();
      var stopped = group.shutdownGracefully(WAIT);
      nghttp.awaitOutputContaining("last_stream_id=13", WAIT);
      release.countDown();
      assertThat(curl.awaitExit(WAIT)).as(curl.errors()).isZero();
      assertThat(curl.output()).isEqualTo("slow\n");
      assertThat(nghttp.awaitExit(WAIT)).as(nghttp.output()).isZero();
      assertThat(nghttp.output())
          .contains("recv GOAWAY frame <length=21, flags=0x00, stream_id=0>")
          .contains("(last_stream_id=2147483647, error_code=NO_ERROR(0x00)")
          .contains("recv PING frame")
          .contains("(last_stream_id=13, error_code=NO_ERROR(0x00)")
          .contains("slow");
      stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  // ---- SETTINGS_TIMEOUT, RFC 9113 §6.5.3 ----

  @Test
  void aClientThatNeverAcknowledgesOurSettingsGetsSettingsTimeout() throws Exception {
    var result = runPeer("settings_no_ack");
    List<String> lines = result.out().lines().toList();
    assertThat(lines).contains("GOAWAY SETTINGS_TIMEOUT");
    int afterMs =
        Integer.parseInt(
            lines.stream()
                .filter(l -> l.startsWith("AFTER_MS "))
                .findFirst()
                .orElseThrow()
                .substring("AFTER_MS ".length()));
    assertThat(afterMs).as("the bound is 1 s").isBetween(900, 30_000);

    // One that acknowledges is served past the bound.
    assertThat(runPeer("settings_ack").out().lines()).containsExactly("PING_ACK");
  }

  // ---- trailers ----

  @Test
  void trailersGoBothWaysOverHttp2WithPythonH2() throws Exception {
    List<String> lines = runPeer("trailers").out().lines().toList();
    assertThat(lines)
        .containsSubsequence(
            "RESPONSE 1 200",
            "TRAILER 1 x-checksum: sha256:0123",
            "TRAILER 1 x-parts: 2",
            "BODY 1 part one,part two")
        .doesNotContain("TRAILER 1 content-length: 17")
        .contains("BODY 3 hello trailers=x-checksum:sha256:abc;x-count:5")
        .contains("BODY 5 streamed trailers=x-checksum:sha256:def");
  }

  @Test
  void nghttpAndCurlSeeResponseTrailersOverHttp2() throws Exception {
    var nghttp = ExternalProcess.run(WAIT, "nghttp", "-v", url("/trailers"));
    assertThat(nghttp.exit()).as(nghttp.err()).isZero();
    String out = nghttp.out();
    // The trailers come in a second HEADERS frame, after the DATA, and it ends the stream
    // (nghttp prints a frame's fields before the frame).
    String afterData = out.substring(out.indexOf("recv DATA frame"));
    assertThat(afterData)
        .contains("recv (stream_id=13) x-checksum: sha256:0123")
        .contains("recv (stream_id=13) x-parts: 2")
        .contains("; END_STREAM | END_HEADERS");

    // curl writes trailers where it writes the headers (-D), after them.
    Path headers = dir.resolve("h2-headers.txt");
    var curl =
        ExternalProcess.run(
            WAIT,
            "curl",
            "-sS",
            "-D",
            headers.toString(),
            "--http2-prior-knowledge",
            url("/trailers"));
    assertThat(curl.out()).isEqualTo("part one,part two");
    assertThat(Files.readAllLines(headers))
        .containsSubsequence("HTTP/2 200 ", "x-checksum: sha256:0123", "x-parts: 2");
  }

  @Test
  void trailersGoBothWaysOverHttp11() throws Exception {
    Path headers = dir.resolve("h1-headers.txt");
    var curl =
        ExternalProcess.run(
            WAIT,
            "curl",
            "-sS",
            "-D",
            headers.toString(),
            "--http1.1",
            "-H",
            "TE: trailers",
            url("/trailers"));
    assertThat(curl.out()).isEqualTo("part one,part two");
    assertThat(Files.readAllLines(headers))
        .containsSubsequence(
            "HTTP/1.1 200 OK",
            "Transfer-Encoding: chunked",
            "x-checksum: sha256:0123",
            "x-parts: 2")
        .doesNotContain("Content-Length: 17");
    // A client that did not say TE: trailers gets none.
    Path plainHeaders = dir.resolve("h1-plain-headers.txt");
    var plain =
        ExternalProcess.run(
            WAIT, "curl", "-sS", "-D", plainHeaders.toString(), "--http1.1", url("/trailers"));
    assertThat(plain.out()).isEqualTo("part one,part two");
    assertThat(Files.readString(plainHeaders)).doesNotContain("x-checksum: ");

    // Request trailers, as a chunked body's trailer section, to a whole and a streamed body.
    assertThat(
            rawHttp11(
                "POST /echo-trailers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: sha256:abc\r\n\r\n"))
        .startsWith("HTTP/1.1 200 OK")
        .endsWith("\r\n\r\nhello trailers=X-Checksum:sha256:abc");
    assertThat(
            rawHttp11(
                "PUT /stream-trailers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n8\r\nstreamed\r\n0\r\nX-Sum: 7\r\n\r\n"))
        .startsWith("HTTP/1.1 200 OK")
        .endsWith("\r\n\r\nstreamed trailers=X-Sum:7");
  }

  /** Sends {@code request} on a new socket and reads the answer to the close. */
  private String rawHttp11(String request) throws IOException {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      var answer = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(answer);
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  // ---- 100-continue ----

  @Test
  void expectContinueGrantsTheBodyOrRefusesItUnread() throws Exception {
    List<String> lines = runPeer("continue").out().lines().toList();
    assertThat(lines)
        .containsSubsequence("INFORMATIONAL 1 100", "RESPONSE 1 200", "BODY 1 body of /echo")
        .containsSubsequence("INFORMATIONAL 3 100", "RESPONSE 3 200", "BODY 3 body of /stream-echo")
        .contains("RESPONSE 5 417", "RESPONSE 7 413")
        .doesNotContain("UNEXPECTED_100", "INFORMATIONAL 5 100", "INFORMATIONAL 7 100");
  }
}
