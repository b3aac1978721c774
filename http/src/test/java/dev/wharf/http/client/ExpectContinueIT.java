package dev.wharf.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.Nginx;
import dev.wharf.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client side of {@code Expect: 100-continue} (RFC 9110 §10.1.1), as curl does it: an upload
 * over 1 MiB asks first and sends its body on the server's 100 (nginx, over HTTP/1.1 and h2), after
 * 1 s when the server never answers (a Python server that ignores the field), and not at all when
 * the server refuses it outright (nginx's 413 for a body over its limit).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExpectContinueIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static TestCertificates certs;
  private static Nginx nginx;
  private static byte[] upload;

  private final EventLoopGroup group = new EventLoopGroup(1, "expect-it", true);
  private HttpClient client;

  @BeforeAll
  static void startNginx() throws Exception {
    certs = TestCertificates.create(dir.resolve("certs"));
    nginx =
        Nginx.start(dir.resolve("nginx"), certs, "location /small/ { client_max_body_size 1k; }");
    upload = new byte[(2 << 20) + 7]; // over curl's 1 MiB threshold
    new Random(11).nextBytes(upload);
  }

  @AfterAll
  static void stopNginx() {
    if (nginx != null) {
      nginx.close();
    }
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private HttpClient client(HttpClient.Version version) throws Exception {
    client = TestClients.trustingTestCa(group, version, certs.caCert()).build();
    return client;
  }

  /** Sends a PUT and returns what went out as its head, the status and the body that came back. */
  private static Sent put(HttpClient client, URI uri, byte[] body) throws Exception {
    var result = new CompletableFuture<Sent>();
    var request = new ClientRequest("PUT", uri, Headers.EMPTY, body);
    client.exchange(
        request,
        new ResponseListener() {
          private final StringBuilder sentHead = new StringBuilder();
          private final ByteArrayOutputStream received = new ByteArrayOutputStream();
          private ResponseHead head;

          @Override
          public void requestHead(ByteBuffer requestHead) {
            sentHead.append(StandardCharsets.ISO_8859_1.decode(requestHead.duplicate()));
          }

          @Override
          public void head(ResponseHead responseHead) {
            head = responseHead;
          }

          @Override
          public void body(ByteBuffer chunk) {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            received.writeBytes(bytes);
          }

          @Override
          public void complete(ExchangeTimings timings) {
            result.complete(
                new Sent(
                    sentHead.toString().toLowerCase(Locale.ROOT),
                    head.version(),
                    head.status(),
                    received.toString(StandardCharsets.UTF_8)));
          }

          @Override
          public void failed(Throwable error) {
            result.completeExceptionally(error);
          }
        });
    return result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private record Sent(String head, String version, int status, String body) {}

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void largeUploadAsksFirstAndGoesOnNginxsContinue(HttpClient.Version version) throws Exception {
    String name = "/up-" + version + ".bin";
    Sent sent =
        put(client(version), URI.create("https://localhost:" + nginx.tlsPort() + name), upload);

    assertThat(sent.head()).contains("expect: 100-continue");
    assertThat(sent.status()).isEqualTo(201);
    assertThat(sent.version())
        .isEqualTo(version == HttpClient.Version.HTTP_2 ? "HTTP/2" : "HTTP/1.1");
    assertThat(Files.readAllBytes(nginx.root().resolve(name.substring(1)))).isEqualTo(upload);
  }

  @Test
  void smallUploadDoesNotAsk() throws Exception {
    Sent sent =
        put(
            client(HttpClient.Version.HTTP_1_1),
            URI.create("https://localhost:" + nginx.tlsPort() + "/small-up.bin"),
            new byte[1000]);

    assertThat(sent.head()).doesNotContain("expect");
    assertThat(sent.status()).isEqualTo(201);
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void refusalBeforeTheContinueEndsTheExchangeWithoutTheBody(HttpClient.Version version)
      throws Exception {
    HttpClient c = client(version);
    Sent sent = put(c, URI.create("https://localhost:" + nginx.tlsPort() + "/small/x.bin"), upload);

    assertThat(sent.status()).isEqualTo(413);
    // The client is still good for the next exchange (a new connection over HTTP/1.1).
    Sent next =
        put(
            c,
            URI.create("https://localhost:" + nginx.tlsPort() + "/after-413-" + version + ".bin"),
            new byte[10]);
    assertThat(next.status()).isEqualTo(201);
  }

  @Test
  void serverThatNeverAnswersGetsTheBodyAfterOneSecond() throws Exception {
    Path script = Path.of(getClass().getResource("/client/expect_ignoring_server.py").toURI());
    try (var server = ExternalProcess.start(List.of("/usr/bin/python3", script.toString()))) {
      Matcher port =
          Pattern.compile("PORT (\\d+)").matcher(server.awaitOutputContaining("PORT", WAIT));
      assertThat(port.find()).isTrue();
      Sent sent =
          put(
              client(HttpClient.Version.HTTP_1_1),
              URI.create("http://127.0.0.1:" + port.group(1) + "/up"),
              upload);

      String answer = sent.body();
      assertThat(answer).startsWith("expect=100-continue ").endsWith(" bytes=" + upload.length);
      Matcher gap = Pattern.compile("gap_ms=(\\d+)").matcher(answer);
      assertThat(gap.find()).isTrue();
      // ClientRequest.EXPECT_CONTINUE_TIMEOUT is 1 s; timers may fire a little early on the wheel.
      assertThat(Integer.parseInt(gap.group(1))).isGreaterThanOrEqualTo(900);
    }
  }
}
