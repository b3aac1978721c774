package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.core.tls.TlsTrust;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ClientResponse;
import dev.wharf.http.client.HttpClient;
import dev.wharf.http.client.TestClients;
import dev.wharf.http.files.StaticFiles;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS: our server with curl and our client, our client with openssl's server. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path certDir;
  static TestCertificates certs;
  @TempDir Path dir;

  private final EventLoopGroup group = new EventLoopGroup(2, "https-it", true);
  private final List<ExternalProcess> processes = new ArrayList<>();
  private HttpServer server;
  private HttpClient client;
  private byte[] blob;

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(certDir);
  }

  @BeforeEach
  void start() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    blob = new byte[3_000_000];
    new Random(11).nextBytes(blob);
    Files.write(root.resolve("blob.bin"), blob);
    Files.writeString(root.resolve("hello.txt"), "hello over tls\n");
    var files = new StaticFiles(root, StaticFiles.Options.DEFAULTS);
    server =
        HttpServer.builder(group)
            .tls(
                TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                    .build())
            .routeBlocking("GET", "/*", files)
            .routeBlocking(
                "GET",
                "/stream",
                (request, response) -> {
                  // A handler on a virtual thread writing more than the connection buffers.
                  response.header("Content-Type", "application/octet-stream");
                  for (int i = 0; i < blob.length; i += 100_000) {
                    response.write(ByteBuffer.wrap(blob, i, Math.min(100_000, blob.length - i)));
                  }
                  response.end();
                })
            .get("/hello", (request, response) -> response.send("hello, " + request.path() + "\n"))
            .routeStreaming(
                "PUT",
                "/upload",
                64 << 20,
                (request, response) -> {
                  // Read slowly enough that the client is held back through TLS.
                  MessageDigest digest = MessageDigest.getInstance("SHA-256");
                  long total = 0;
                  try (var in = request.bodyStream()) {
                    byte[] buffer = new byte[8192];
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                      digest.update(buffer, 0, n);
                      total += n;
                    }
                  }
                  response.send(total + " " + java.util.HexFormat.of().formatHex(digest.digest()));
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    client = TestClients.trustingTestCa(group, HttpClient.Version.HTTP_1_1, certs.caCert()).build();
  }

  @AfterEach
  void stop() throws Exception {
    for (ExternalProcess process : processes) {
      process.close();
    }
    client.close();
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
  }

  private ExternalProcess run(String... command) throws Exception {
    ExternalProcess process = ExternalProcess.start(dir, List.of(command));
    processes.add(process);
    return process;
  }

  private String url(String path) {
    return "https://localhost:" + server.port() + path;
  }

  /**
   * An http:// URL sent to the HTTPS port is answered in plain HTTP, 400 with the https:// URL to
   * use, as nginx answers it; curl printed "Received HTTP/0.9 when not allowed" for the TLS alert
   * it got before. nc (which half-closes, HTTP/1.0 without a Host) gets the same, and TLS on the
   * same server goes on.
   */
  @Test
  void plainHttpToTheHttpsPortGetsA400SayingSo() throws Exception {
    ExternalProcess curl =
        run(
            "curl",
            "-sS",
            "-i",
            "-w",
            "\n%{http_code}",
            "http://localhost:" + server.port() + "/hello?x=1");
    assertThat(curl.awaitExit(WAIT)).as(curl.errors()).isZero();
    assertThat(curl.output())
        .startsWith("HTTP/1.1 400 Bad Request\r\n")
        .contains("Connection: close\r\n")
        .contains(
            "this port speaks HTTPS, and the request came in plain HTTP. Use"
                + " https://localhost:"
                + server.port()
                + "/hello?x=1.\n")
        .endsWith("\n400");

    var request = Files.writeString(dir.resolve("request"), "GET / HTTP/1.0\r\n\r\n");
    var nc =
        ExternalProcess.command("nc", "-N", "127.0.0.1", String.valueOf(server.port()))
            .input(request)
            .run(WAIT);
    assertThat(nc.exit()).as(nc.err()).isZero();
    assertThat(nc.out())
        .startsWith("HTTP/1.1 400 Bad Request\r\n")
        .endsWith("plain HTTP. Use an https:// URL.\n");

    ExternalProcess tls = run("curl", "-sS", "--cacert", certs.caCert().toString(), url("/hello"));
    assertThat(tls.awaitExit(WAIT)).as(tls.errors()).isZero();
    assertThat(tls.output()).isEqualTo("hello, /hello\n");
  }

  @Test
  void curlWithTheCaGetsAnAnswerOverTls13AndAlpn() throws Exception {
    ExternalProcess curl =
        run("curl", "-sS", "-v", "--cacert", certs.caCert().toString(), url("/hello"));

    assertThat(curl.awaitExit(WAIT)).as(curl.output()).isZero();
    assertThat(curl.output())
        .contains("hello, /hello")
        .contains("SSL connection using TLSv1.3")
        .contains("ALPN: server accepted http/1.1");
  }

  @Test
  void handlersSeeTheTlsSessionAndTheClientsCertificate() throws Exception {
    try (var mtls =
        HttpServer.builder(group)
            .tls(
                TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                    .clientAuth(TlsServerConfig.ClientAuth.WANT, TlsTrust.fromPem(certs.caCert()))
                    .build())
            .get(
                "/whoami",
                (request, response) ->
                    response.send(
                        request.isSecure()
                            + " "
                            + request.tlsSession().map(TlsSession::protocol).orElse("-")
                            + " "
                            + request
                                .tlsSession()
                                .flatMap(TlsSession::peerCertificate)
                                .map(c -> c.getSubjectX500Principal().getName())
                                .orElse("anonymous")
                            + "\n"))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      String url = "https://localhost:" + mtls.port() + "/whoami";
      ExternalProcess anonymous = run("curl", "-sS", "--cacert", certs.caCert().toString(), url);
      ExternalProcess known =
          run(
              "curl",
              "-sS",
              "--cacert",
              certs.caCert().toString(),
              "--cert",
              certs.clientCert().toString(),
              "--key",
              certs.clientKey().toString(),
              url);

      assertThat(anonymous.awaitExit(WAIT)).as(anonymous.output()).isZero();
      assertThat(anonymous.output()).contains("true TLSv1.3 anonymous");
      assertThat(known.awaitExit(WAIT)).as(known.output()).isZero();
      assertThat(known.output()).contains("true TLSv1.3 CN=wharf client");
    }
    // Over plain HTTP a handler sees no session.
    try (var plain =
        HttpServer.builder(group)
            .get(
                "/whoami",
                (request, response) ->
                    response.send(request.isSecure() + " " + request.tlsSession().isPresent()))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      ExternalProcess curl = run("curl", "-sS", "http://127.0.0.1:" + plain.port() + "/whoami");
      assertThat(curl.awaitExit(WAIT)).as(curl.output()).isZero();
      assertThat(curl.output()).contains("false false");
    }
  }

  @Test
  void curlWithoutTheCaRefusesTheServer() throws Exception {
    ExternalProcess curl = run("curl", "-sS", url("/hello"));

    assertThat(curl.awaitExit(WAIT)).isEqualTo(60); // CURLE_PEER_FAILED_VERIFICATION
  }

  @Test
  void curlDownloadsAFileSentThroughTlsIntact() throws Exception {
    Path out = dir.resolve("downloaded.bin");
    ExternalProcess curl =
        run(
            "curl",
            "-sS",
            "--cacert",
            certs.caCert().toString(),
            "-o",
            out.toString(),
            url("/blob.bin"),
            "-o",
            dir.resolve("streamed.bin").toString(),
            url("/stream"));

    assertThat(curl.awaitExit(WAIT)).as(curl.output()).isZero();
    assertThat(sha256(Files.readAllBytes(out))).isEqualTo(sha256(blob));
    assertThat(sha256(Files.readAllBytes(dir.resolve("streamed.bin")))).isEqualTo(sha256(blob));
  }

  /**
   * A handler streaming from a virtual thread makes the transport's writability flip while records
   * are being made: a regression test for callbacks that once started a second pass over the queue
   * mid-encryption (curl then saw "bad record mac" in about one stream in five).
   */
  @Test
  void streamedResponsesStayIntactWhileWritabilityFlips() throws Exception {
    for (int i = 0; i < 12; i++) {
      Path out = dir.resolve("round" + i + ".bin");
      ExternalProcess curl =
          run(
              "curl",
              "-sS",
              "--cacert",
              certs.caCert().toString(),
              "-o",
              out.toString(),
              url("/stream"));
      assertThat(curl.awaitExit(WAIT)).as("round %d: %s", i, curl.output()).isZero();
      assertThat(sha256(Files.readAllBytes(out))).as("round %d", i).isEqualTo(sha256(blob));
    }
  }

  @Test
  void curlOnTls12WithRangesAndKeepAlive() throws Exception {
    ExternalProcess curl =
        run(
            "curl",
            "-sS",
            "-v",
            "--tlsv1.2",
            "--tls-max",
            "1.2",
            "--cacert",
            certs.caCert().toString(),
            "-r",
            "10-19",
            url("/blob.bin"),
            url("/hello"));

    assertThat(curl.awaitExit(WAIT)).as(curl.output()).isZero();
    assertThat(curl.output())
        .contains("SSL connection using TLSv1.2 / ECDHE-ECDSA-")
        .contains("Re-using existing connection")
        .contains("hello, /hello");
  }

  @Test
  void curlUploadsAStreamedBodyThroughTls() throws Exception {
    byte[] upload = new byte[20_000_000];
    new Random(12).nextBytes(upload);
    Path file = dir.resolve("upload.bin");
    Files.write(file, upload);

    ExternalProcess curl =
        run(
            "curl",
            "-sS",
            "--cacert",
            certs.caCert().toString(),
            "-T",
            file.toString(),
            url("/upload"));

    assertThat(curl.awaitExit(WAIT)).as(curl.output()).isZero();
    assertThat(curl.output()).isEqualTo(upload.length + " " + sha256(upload));
  }

  @Test
  void ourClientFetchesFromOurServerAndReusesTheConnection() throws Exception {
    ClientResponse first =
        client.send(ClientRequest.get(URI.create(url("/blob.bin")))).get(30, TimeUnit.SECONDS);
    ClientResponse second =
        client.send(ClientRequest.get(URI.create(url("/hello")))).get(30, TimeUnit.SECONDS);

    assertThat(first.status()).isEqualTo(200);
    assertThat(sha256(first.body())).isEqualTo(sha256(blob));
    TlsSession tls = first.timings().tls().orElseThrow();
    assertThat(tls.protocol()).isEqualTo("TLSv1.3");
    assertThat(tls.applicationProtocol()).contains("http/1.1");
    assertThat(tls.serverName()).contains("localhost");
    assertThat(second.timings().reused()).isTrue();
    assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("hello, /hello\n");
  }

  @Test
  void ourClientRefusesAServerItDoesNotTrust() {
    var trustingTheSystem = HttpClient.builder().group(group).build();
    try {
      assertThatThrownBy(
              () ->
                  trustingTheSystem
                      .send(ClientRequest.get(URI.create(url("/hello"))))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SSLHandshakeException.class)
          .hasMessage(
              "TLS handshake with localhost:"
                  + server.port()
                  + " failed: the server's certificate is not trusted: CN=localhost, issued by"
                  + " CN=Wharf Test CA, does not chain to a trusted CA");
    } finally {
      trustingTheSystem.close();
    }
  }

  @Test
  void ourClientFetchesFromOpensslsServer() throws Exception {
    ExternalProcess openssl =
        run(
            "openssl",
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-cert",
            certs.serverCert().toString(),
            "-key",
            certs.serverKey().toString(),
            "-www");
    String output =
        openssl.awaitOutput("ACCEPT", WAIT, out -> out.matches("(?s).*ACCEPT \\S+:\\d+\\s.*"));
    Matcher port = Pattern.compile("ACCEPT \\S+:(\\d+)").matcher(output);
    assertThat(port.find()).isTrue();

    ClientResponse response =
        client
            .send(ClientRequest.get(URI.create("https://127.0.0.1:" + port.group(1) + "/")))
            .get(30, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(200);
    assertThat(new String(response.body(), StandardCharsets.ISO_8859_1)).contains("TLSv1.3");
    assertThat(response.timings().tls().orElseThrow().serverName()).isEmpty();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
