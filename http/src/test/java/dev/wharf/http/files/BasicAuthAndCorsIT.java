package dev.wharf.http.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.RawResponse;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.ExternalProcess.Result;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link BasicAuth} and {@link Cors} in front of static files, spoken to by curl and sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BasicAuthAndCorsIT {
  private static final List<String> METHODS = List.of("GET", "HEAD", "OPTIONS");
  private static final BasicAuth.Credentials ANN = new BasicAuth.Credentials("ann", "pä:ss wörd");

  @TempDir Path dir;
  private final EventLoopGroup group = new EventLoopGroup(2, "auth-it", true);
  private final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(HttpServer::close);
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  /** Serves a directory holding {@code hello.txt}, with {@code guard} around every route. */
  private int serve(UnaryOperator<Handler> guard) throws Exception {
    Path root = Files.createDirectories(dir.resolve("www"));
    Files.writeString(root.resolve("hello.txt"), "hello, world\n");
    Handler files = guard.apply(new StaticFiles(root, StaticFiles.Options.DEFAULTS));
    Handler options =
        guard.apply(
            (request, response) ->
                response.header("Allow", "GET, HEAD, OPTIONS").status(204).end());
    HttpServer server =
        HttpServer.builder(group)
            .routeBlocking("GET", "/*", files)
            .route("OPTIONS", "/*", options)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    servers.add(server);
    return server.port();
  }

  private int serveWithAuthAndCors() throws Exception {
    return serve(h -> Cors.allow("*", METHODS, BasicAuth.protect("wharf", ANN, h)));
  }

  private static Result curl(String... args) throws IOException {
    var command = new ArrayList<>(List.of("curl", "-sS"));
    command.addAll(List.of(args));
    return ExternalProcess.run(Duration.ofSeconds(30), command);
  }

  /** Sends each request on one kept-alive connection and reads each answer in turn. */
  private static List<RawResponse> exchange(int port, String method, String... headerBlocks)
      throws Exception {
    var responses = new ArrayList<RawResponse>();
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (String headers : headerBlocks) {
        out.write(
            (method + " /hello.txt HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        responses.add(RawResponse.read(in, method));
      }
    }
    return responses;
  }

  private static String basic(byte[] userPass) {
    return "Authorization: Basic " + Base64.getEncoder().encodeToString(userPass) + "\r\n";
  }

  @Test
  void curlWithTheRightUserGetsTheFileAndWithoutOrWrongGets401() throws Exception {
    // curl sends the bytes of its argument: ASCII here, so the JVM's argv encoding cannot matter.
    int port = serve(h -> BasicAuth.protect("wharf", new BasicAuth.Credentials("bob", "b:c"), h));
    String plain = "http://127.0.0.1:" + port + "/hello.txt";

    Result right = curl("-i", "--user", "bob:b:c", plain);
    assertThat(right.outLatin1()).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nhello, world\n");

    Result wrong = curl("-i", "--user", "bob:b:d", plain);
    assertThat(wrong.outLatin1())
        .startsWith("HTTP/1.1 401 Unauthorized")
        .contains("\r\nWWW-Authenticate: Basic realm=\"wharf\", charset=\"UTF-8\"\r\n")
        .doesNotContain("hello, world");

    Result none = curl("-o", "/dev/null", "-w", "%{http_code}", plain);
    assertThat(none.outLatin1()).isEqualTo("401");
  }

  @Test
  void utf8PasswordsWithColonsMatchByteForByte() throws Exception {
    int port = serveWithAuthAndCors();
    List<RawResponse> answers =
        exchange(
            port,
            "GET",
            basic("ann:pä:ss wörd".getBytes(StandardCharsets.UTF_8)),
            basic("ann:pä:ss wörd".getBytes(StandardCharsets.ISO_8859_1)),
            basic("ann:pä:ss wör".getBytes(StandardCharsets.UTF_8)),
            basic("Ann:pä:ss wörd".getBytes(StandardCharsets.UTF_8)));
    assertThat(answers).extracting(RawResponse::status).containsExactly(200, 401, 401, 401);
    assertThat(answers.getFirst().bodyText()).isEqualTo("hello, world\n");
  }

  @Test
  void malformedAuthorizationGets401AndTheConnectionLivesOn() throws Exception {
    int port = serveWithAuthAndCors();
    String good = basic("ann:pä:ss wörd".getBytes(StandardCharsets.UTF_8));
    List<RawResponse> answers =
        exchange(
            port,
            "GET",
            "Authorization: Basic\r\n",
            "Authorization: Basic !!!notbase64\r\n",
            "Authorization: Basic YW5u\r\n", // "ann": no colon at all
            "Authorization: Bearer abc\r\n",
            "Authorization: Basic \u00e9\u00e9\u00e9\r\n", // bytes that are no base64
            "Authorization: \r\n",
            good + good, // two of them, even right ones, are one too many
            "Authorization: bAsIc   "
                + Base64.getEncoder()
                    .encodeToString("ann:pä:ss wörd".getBytes(StandardCharsets.UTF_8))
                + "  \r\n");
    assertThat(answers)
        .extracting(RawResponse::status)
        .containsExactly(401, 401, 401, 401, 401, 401, 401, 200);
    for (RawResponse answer : answers.subList(0, 7)) {
      assertThat(answer.header("WWW-Authenticate"))
          .contains("Basic realm=\"wharf\", charset=\"UTF-8\"");
      assertThat(answer.bodyText()).doesNotContain("hello");
    }
  }

  @Test
  void headAndPlainOptionsNeedCredentialsToo() throws Exception {
    int port = serveWithAuthAndCors();
    String good = basic("ann:pä:ss wörd".getBytes(StandardCharsets.UTF_8));
    assertThat(exchange(port, "HEAD", "", good))
        .extracting(RawResponse::status)
        .containsExactly(401, 200);
    List<RawResponse> options = exchange(port, "OPTIONS", "", good);
    assertThat(options).extracting(RawResponse::status).containsExactly(401, 204);
    assertThat(options.get(1).header("Allow")).contains("GET, HEAD, OPTIONS");
  }

  @Test
  void curlPreflightIsAnsweredWithoutCredentials() throws Exception {
    int port = serveWithAuthAndCors();
    Result preflight =
        curl(
            "-i",
            "-X",
            "OPTIONS",
            "-H",
            "Origin: https://app.example",
            "-H",
            "Access-Control-Request-Method: GET",
            "-H",
            "Access-Control-Request-Headers: range, if-none-match, authorization",
            "http://127.0.0.1:" + port + "/hello.txt");
    assertThat(preflight.outLatin1())
        .startsWith("HTTP/1.1 204 No Content")
        .contains("\r\nAccess-Control-Allow-Origin: *\r\n")
        .contains("\r\nAccess-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n")
        .contains("\r\nAccess-Control-Allow-Headers: range, if-none-match, authorization\r\n")
        .contains("\r\nAccess-Control-Max-Age: 600\r\n")
        .doesNotContain("WWW-Authenticate");
  }

  @Test
  void everyResponseCarriesTheCorsHeadersEvenA401() throws Exception {
    int port = serveWithAuthAndCors();
    String good = basic("ann:pä:ss wörd".getBytes(StandardCharsets.UTF_8));
    for (RawResponse answer : exchange(port, "GET", "Origin: https://app.example\r\n", good)) {
      assertThat(answer.header("Access-Control-Allow-Origin")).contains("*");
      assertThat(answer.header("Access-Control-Expose-Headers"))
          .contains("Content-Length, Content-Range, ETag, Last-Modified, Accept-Ranges");
      assertThat(answer.all("Vary")).doesNotContain("Origin");
    }
  }

  @Test
  void aNamedOriginVariesByOriginAndOddRequestedHeadersAreNotEchoed() throws Exception {
    int port = serve(h -> Cors.allow("https://app.example:8443", METHODS, h));
    RawResponse get = exchange(port, "GET", "Origin: https://app.example:8443\r\n").getFirst();
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.header("Access-Control-Allow-Origin")).contains("https://app.example:8443");
    assertThat(get.all("Vary")).contains("Origin", "Accept-Encoding");

    RawResponse odd =
        exchange(
                port,
                "OPTIONS",
                "Origin: https://app.example:8443\r\n"
                    + "Access-Control-Request-Method: GET\r\n"
                    + "Access-Control-Request-Headers: range, x y\r\n")
            .getFirst();
    assertThat(odd.status()).isEqualTo(204);
    assertThat(odd.header("Access-Control-Allow-Headers")).isEmpty();
    assertThat(odd.header("Access-Control-Allow-Methods")).contains("GET, HEAD, OPTIONS");

    // An OPTIONS without Access-Control-Request-Method is no preflight: the route answers it.
    RawResponse plain = exchange(port, "OPTIONS", "Origin: https://x.example\r\n").getFirst();
    assertThat(plain.status()).isEqualTo(204);
    assertThat(plain.header("Allow")).contains("GET, HEAD, OPTIONS");
    assertThat(plain.header("Access-Control-Allow-Methods")).isEmpty();
  }
}
