package dev.wharf.http.h2.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.Headers;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ClientResponse;
import dev.wharf.http.client.HttpClient;
import dev.wharf.http.client.RequestBody;
import dev.wharf.http.client.TestClients;
import dev.wharf.testkit.Nginx;
import dev.wharf.testkit.TestCertificates;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/2 client against nginx (Debian's, a server nobody here wrote): h2 by ALPN over TLS and
 * h2c by prior knowledge, files larger than every flow-control window both ways, many exchanges at
 * once on one connection past nginx's stream limit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2ClientNginxIT {
  @TempDir static Path dir;
  private static TestCertificates certs;
  private static Nginx nginx;
  private static byte[] big;

  private final EventLoopGroup group = new EventLoopGroup(1, "h2-client-it", true);
  private HttpClient client;

  @BeforeAll
  static void startNginx() throws Exception {
    certs = TestCertificates.create(dir.resolve("certs"));
    // Four streams at a time: the client must queue the rest (RFC 9113 §5.1.2).
    nginx = Nginx.start(dir.resolve("nginx"), certs, "http2_max_concurrent_streams 4;");
    Files.writeString(nginx.root().resolve("hello.txt"), "hello over h2\n");
    big = new byte[40 << 20]; // past the 16 MiB connection window we grant, and nginx's
    new Random(7).nextBytes(big);
    Files.write(nginx.root().resolve("big.bin"), big);
    for (int i = 0; i < 50; i++) {
      Files.writeString(nginx.root().resolve("asset" + i + ".txt"), "asset " + i);
    }
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
    client =
        TestClients.trustingTestCa(group, version, certs.caCert()).maxBodyBytes(64L << 20).build();
    return client;
  }

  private static URI https(String path) {
    return URI.create("https://localhost:" + nginx.tlsPort() + path);
  }

  private static URI h2c(String path) {
    return URI.create("http://127.0.0.1:" + nginx.cleartextPort() + path);
  }

  private static ClientResponse get(HttpClient client, URI uri) throws Exception {
    return client.send(ClientRequest.get(uri)).get(60, TimeUnit.SECONDS);
  }

  @Test
  void fetchesAFileOverH2NegotiatedByAlpn() throws Exception {
    ClientResponse response = get(client(HttpClient.Version.HTTP_2), https("/hello.txt"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.version()).isEqualTo("HTTP/2");
    assertThat(response.bodyAsString()).isEqualTo("hello over h2\n");
    assertThat(response.head().headers().first("server"))
        .hasValueSatisfying(server -> assertThat(server).startsWith("nginx"));
    assertThat(response.timings().tls().orElseThrow().applicationProtocol()).hasValue("h2");
  }

  @Test
  void http11OnlyOffersNoH2() throws Exception {
    ClientResponse response = get(client(HttpClient.Version.HTTP_1_1), https("/hello.txt"));

    assertThat(response.version()).isEqualTo("HTTP/1.1");
    assertThat(response.bodyAsString()).isEqualTo("hello over h2\n");
  }

  @Test
  void fetchesOverH2cByPriorKnowledge() throws Exception {
    ClientResponse response =
        get(client(HttpClient.Version.HTTP_2_PRIOR_KNOWLEDGE), h2c("/hello.txt"));

    assertThat(response.version()).isEqualTo("HTTP/2");
    assertThat(response.bodyAsString()).isEqualTo("hello over h2\n");
    assertThat(response.timings().tls()).isEmpty();
  }

  @Test
  void downloadsABodyLargerThanEveryWindow() throws Exception {
    ClientResponse overTls = get(client(HttpClient.Version.HTTP_2), https("/big.bin"));
    client.close();
    ClientResponse cleartext =
        get(client(HttpClient.Version.HTTP_2_PRIOR_KNOWLEDGE), h2c("/big.bin"));

    assertThat(overTls.version()).isEqualTo("HTTP/2");
    assertThat(overTls.body()).isEqualTo(big);
    assertThat(cleartext.version()).isEqualTo("HTTP/2");
    assertThat(cleartext.body()).isEqualTo(big);
  }

  @Test
  void manyConcurrentExchangesShareOneConnectionPastTheStreamLimit() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    var futures = new ArrayList<CompletableFuture<ClientResponse>>();
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 50; i++) {
        futures.add(c.send(ClientRequest.get(https("/asset" + i + ".txt"))));
      }
    }

    Set<String> locals = new HashSet<>();
    for (int i = 0; i < futures.size(); i++) {
      ClientResponse response = futures.get(i).get(60, TimeUnit.SECONDS);
      assertThat(response.bodyAsString()).isEqualTo("asset " + (i % 50));
      assertThat(response.version()).isEqualTo("HTTP/2");
      locals.add(response.timings().local().toString());
    }
    // All 200 went over one connection: its local address is the same for each.
    assertThat(locals).hasSize(1);
  }

  @Test
  void uploadsBodiesLargerThanTheServersWindowWithPut() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    byte[] upload = new byte[5 << 20];
    new Random(3).nextBytes(upload);
    Path file = dir.resolve("upload.bin");
    Files.write(file, upload);

    ClientResponse fromBytes =
        c.send(new ClientRequest("PUT", https("/up/bytes.bin"), Headers.EMPTY, upload))
            .get(60, TimeUnit.SECONDS);
    ClientResponse fromFile =
        c.send(
                new ClientRequest(
                    "PUT", https("/up/file.bin"), Headers.EMPTY, RequestBody.ofFile(file)))
            .get(60, TimeUnit.SECONDS);
    ClientResponse streamed =
        c.send(
                new ClientRequest(
                    "PUT",
                    https("/up/streamed.bin"),
                    Headers.EMPTY,
                    new RequestBody.Streamed(
                        upload.length,
                        () -> Channels.newChannel(new java.io.ByteArrayInputStream(upload)))))
            .get(60, TimeUnit.SECONDS);

    for (ClientResponse response : List.of(fromBytes, fromFile, streamed)) {
      assertThat(response.version()).isEqualTo("HTTP/2");
      assertThat(response.status()).isEqualTo(201);
    }
    for (String name : List.of("bytes.bin", "file.bin", "streamed.bin")) {
      assertThat(Files.readAllBytes(nginx.root().resolve("up").resolve(name)))
          .as(name)
          .isEqualTo(upload);
    }
  }

  @Test
  void aPostIsAnsweredOnItsStream() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);

    // nginx serves no POST on static files: its 405 comes on the stream, after the body.
    ClientResponse response =
        c.send(
                new ClientRequest(
                    "POST",
                    https("/hello.txt"),
                    Headers.builder().add("Content-Type", "text/plain").build(),
                    "a small form".getBytes()))
            .get(60, TimeUnit.SECONDS);

    assertThat(response.version()).isEqualTo("HTTP/2");
    assertThat(response.status()).isEqualTo(405);
    assertThat(get(c, https("/hello.txt")).timings().reused()).isTrue();
  }
}
