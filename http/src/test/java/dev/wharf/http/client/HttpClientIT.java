package dev.wharf.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.Headers;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against Python's http.server (a server nobody here wrote) and against ours. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpClientIT {
  @TempDir Path dir;
  private final EventLoopGroup group = new EventLoopGroup(1, "client-it", true);
  private final HttpClient client = HttpClient.builder().group(group).followRedirects(5).build();
  private ExternalProcess python;
  private HttpServer server;

  @AfterEach
  void stop() throws Exception {
    client.close();
    if (server != null) {
      server.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
    if (python != null) {
      python.close();
    }
  }

  /** Starts python3 -m http.server on a free port in {@code dir}; returns its port. */
  private int startPython() throws Exception {
    python =
        ExternalProcess.command(
                "/usr/bin/python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "0")
            .in(dir)
            .mergeErrors()
            .start();
    String line = python.awaitLine(Duration.ofSeconds(20)); // Once it serves.
    Matcher port = Pattern.compile("port (\\d+)").matcher(String.valueOf(line));
    assertThat(port.find()).as("python said: %s", line).isTrue();
    return Integer.parseInt(port.group(1));
  }

  @Test
  void downloadsFromPythonsServer() throws Exception {
    byte[] content = new byte[500_000];
    new Random(1).nextBytes(content);
    Files.write(dir.resolve("data.bin"), content);
    int port = startPython();

    ClientResponse response =
        client
            .send(ClientRequest.get(URI.create("http://127.0.0.1:" + port + "/data.bin")))
            .get(20, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
    assertThat(response.timings().reused()).isFalse();
  }

  @Test
  void followsPythonsDirectoryRedirect() throws Exception {
    Files.createDirectory(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/index.html"), "inside");
    int port = startPython();

    ClientResponse response =
        client
            .send(ClientRequest.get(URI.create("http://127.0.0.1:" + port + "/sub")))
            .get(20, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyAsString()).isEqualTo("inside");
    assertThat(response.redirects()).containsExactly("http://127.0.0.1:" + port + "/sub/");
  }

  @Test
  void reusesAKeptAliveConnectionAndDecodesChunks() throws Exception {
    server =
        HttpServer.builder(group)
            .get("/hello", (request, response) -> response.send("hi"))
            .get(
                "/chunks",
                (request, response) -> {
                  response.write(ByteBuffer.wrap("one ".getBytes(StandardCharsets.US_ASCII)));
                  response.write(ByteBuffer.wrap("two".getBytes(StandardCharsets.US_ASCII)));
                  response.end();
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    String base = "http://127.0.0.1:" + server.port();

    ClientResponse first =
        client.send(ClientRequest.get(URI.create(base + "/hello"))).get(10, TimeUnit.SECONDS);
    ClientResponse second =
        client.send(ClientRequest.get(URI.create(base + "/chunks"))).get(10, TimeUnit.SECONDS);

    assertThat(first.bodyAsString()).isEqualTo("hi");
    assertThat(second.bodyAsString()).isEqualTo("one two");
    assertThat(second.head().headers().first("Transfer-Encoding")).contains("chunked");
    assertThat(second.timings().reused()).isTrue();
    assertThat(second.timings().local()).isEqualTo(first.timings().local());
  }

  @Test
  void postsABodyAndHonoursA303() throws Exception {
    server =
        HttpServer.builder(group)
            .post(
                "/form",
                (request, response) ->
                    response
                        .status(303)
                        .header("Location", "/thanks?got=" + request.bodyLength())
                        .send(new byte[0]))
            .get(
                "/thanks",
                (request, response) -> response.send(request.method() + " " + request.target()))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    var post =
        new ClientRequest(
            "POST",
            URI.create("http://127.0.0.1:" + server.port() + "/form"),
            Headers.builder().add("Content-Type", "text/plain").build(),
            "12345".getBytes(StandardCharsets.US_ASCII));

    ClientResponse response = client.send(post).get(10, TimeUnit.SECONDS);

    assertThat(response.bodyAsString()).isEqualTo("GET /thanks?got=5");
  }

  @Test
  void credentialsGoToTheSameOriginOnlyAcrossRedirects() throws Exception {
    Handler tell =
        (request, response) ->
            response.send(request.headers().first("Authorization").orElse("none"));
    server = HttpServer.builder(group).get("/here", tell).bind(loopback());
    String same = "http://127.0.0.1:" + server.port();
    try (HttpServer other =
        HttpServer.builder(group)
            .get("/there", tell)
            .get(
                "/away",
                (request, response) ->
                    response.status(302).header("Location", same + "/here").send(new byte[0]))
            .get(
                "/stay",
                (request, response) ->
                    response.status(302).header("Location", "/there").send(new byte[0]))
            .bind(loopback())) {
      String origin = "http://127.0.0.1:" + other.port();
      Headers auth = Headers.builder().add("Authorization", "Basic YW5uOnMzY3JldA==").build();

      ClientResponse stayed =
          client
              .send(new ClientRequest("GET", URI.create(origin + "/stay"), auth, new byte[0]))
              .get(10, TimeUnit.SECONDS);
      ClientResponse left =
          client
              .send(new ClientRequest("GET", URI.create(origin + "/away"), auth, new byte[0]))
              .get(10, TimeUnit.SECONDS);

      assertThat(stayed.bodyAsString()).isEqualTo("Basic YW5uOnMzY3JldA==");
      assertThat(left.bodyAsString()).isEqualTo("none"); // Another port is another origin.
    }
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  /**
   * A server whose keep-alive timeout fires as our next request arrives closes without an answer;
   * an idempotent request goes again on a new connection, as curl does, and the caller sees only
   * the answer.
   */
  @Test
  void aGetOnAPooledConnectionTheServerClosedUnansweredIsSentAgainOnANewOne() throws Exception {
    try (var server = java.nio.channels.ServerSocketChannel.open()) {
      server.bind(loopback());
      String base = "http://127.0.0.1:" + server.socket().getLocalPort() + "/";
      try (var kept = answerOneKeepingTheConnection(server, base)) {
        var second = client.send(ClientRequest.get(URI.create(base)));
        readHead(kept); // Read, and dropped: the keep-alive timeout's race.
        kept.shutdownOutput(); // The server's FIN, with no answer.
        try (var fresh = acceptWhile(server, second)) {
          readHead(fresh);
          fresh.write(
              ascii("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond"));
          assertThat(second.get(10, TimeUnit.SECONDS).bodyAsString()).isEqualTo("second");
        }
      }
    }
  }

  @Test
  void aPostOnAPooledConnectionTheServerClosedUnansweredFailsAndIsNotSentAgain() throws Exception {
    try (var server = java.nio.channels.ServerSocketChannel.open()) {
      server.bind(loopback());
      String base = "http://127.0.0.1:" + server.socket().getLocalPort() + "/";
      try (var kept = answerOneKeepingTheConnection(server, base)) {
        var post =
            client.send(
                new ClientRequest(
                    "POST", URI.create(base), Headers.EMPTY, "x".getBytes(StandardCharsets.UTF_8)));
        readHead(kept);
        kept.shutdownOutput();
        assertThatThrownBy(() -> post.get(10, TimeUnit.SECONDS))
            .cause()
            .isInstanceOf(StaleConnectionException.class)
            .hasMessage(
                "the server closed the kept-alive connection before answering"
                    + " (POST is not idempotent: not sent again)");
        server.configureBlocking(false);
        assertThat(server.accept()).as("a second connection").isNull();
      }
    }
  }

  /**
   * GETs {@code base} through the client and answers on the connection it opened, kept alive: the
   * client then holds it in its pool. Returns the server's end of it.
   */
  private java.nio.channels.SocketChannel answerOneKeepingTheConnection(
      java.nio.channels.ServerSocketChannel server, String base) throws Exception {
    var first = client.send(ClientRequest.get(URI.create(base)));
    var kept = server.accept();
    readHead(kept);
    kept.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"));
    assertThat(first.get(10, TimeUnit.SECONDS).bodyAsString()).isEqualTo("first");
    return kept;
  }

  /**
   * The next connection to {@code server}, waiting while {@code pending} has not ended; if it ends
   * first, throws its failure (what the client did instead of connecting again).
   */
  private static java.nio.channels.SocketChannel acceptWhile(
      java.nio.channels.ServerSocketChannel server, java.util.concurrent.Future<?> pending)
      throws Exception {
    server.configureBlocking(false);
    var accepted = new java.nio.channels.SocketChannel[1];
    dev.wharf.testkit.Await.until(
        "a new connection", () -> pending.isDone() || (accepted[0] = server.accept()) != null);
    if (accepted[0] == null) {
      pending.get(); // Throws the client's failure.
      throw new AssertionError("answered without a new connection");
    }
    accepted[0].configureBlocking(true);
    return accepted[0];
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Reads one request head, up to its blank line (the tests' requests have no body to read). */
  private static void readHead(java.nio.channels.SocketChannel channel) throws Exception {
    var head = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!head.toString().endsWith("\r\n\r\n") && head.length() < 8192) {
      one.clear();
      if (channel.read(one) < 0) {
        throw new java.io.EOFException("closed after " + head);
      }
      head.append((char) one.get(0));
    }
  }

  @Test
  void aSilentServerTimesOut() throws Exception {
    try (var silent = new java.net.ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      var impatient =
          HttpClient.builder().group(group).responseTimeout(Duration.ofMillis(300)).build();
      var attempt =
          impatient.send(
              ClientRequest.get(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/")));
      try (var accepted = silent.accept()) {
        assertThat(accepted.isConnected()).isTrue(); // Connected, and never answered.
        assertThatThrownBy(attempt::join)
            .isInstanceOf(CompletionException.class)
            .hasCauseInstanceOf(dev.wharf.core.ConnectionTimeoutException.class);
      }
    }
  }

  @Test
  void refusedConnectionSaysSo() throws Exception {
    int port;
    try (var probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    var attempt = client.send(ClientRequest.get(URI.create("http://127.0.0.1:" + port + "/")));
    assertThatThrownBy(attempt::join).hasMessageContaining("connection refused");
  }

  @Test
  void aPortOutOfRangeFailsTheExchangeInsteadOfTheConnectThread() {
    var attempt = client.send(ClientRequest.get(URI.create("http://127.0.0.1:99999/")));
    assertThatThrownBy(() -> attempt.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.net.MalformedURLException.class)
        .hasMessageContaining("port out of range in http://127.0.0.1:99999/");
  }

  @Test
  void aHeaderThatCouldSplitTheRequestFailsTheExchangeBeforeAnyConnection() {
    // Port 1 on loopback refuses: had the client connected, the failure would say so instead.
    var request =
        new ClientRequest(
            "GET",
            URI.create("http://127.0.0.1:1/"),
            Headers.builder().add("X-A", "a\r\nX-Injected: 1").build(),
            RequestBody.EMPTY);

    assertThatThrownBy(() -> client.send(request).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid character in value of header X-A");
  }
}
