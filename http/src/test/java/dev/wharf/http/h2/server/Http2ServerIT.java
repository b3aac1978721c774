package dev.wharf.http.h2.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.http.files.StaticFiles;
import dev.wharf.http.server.AccessLogEntry;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/2 server against real clients: curl by prior knowledge (h2c) and by ALPN over TLS on
 * static files (ranges, conditional requests, HEAD), uploads and large streamed answers held back
 * by flow control; nghttp with 100 concurrent streams on one connection; HTTP/1.1 on the same port;
 * the access log's protocol.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2ServerIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path certDir;
  static TestCertificates certs;
  @TempDir Path dir;

  private final EventLoopGroup group = new EventLoopGroup(2, "h2-it", true);
  private final ConcurrentLinkedQueue<AccessLogEntry> log = new ConcurrentLinkedQueue<>();
  private HttpServer plain;
  private HttpServer tls;
  private byte[] blob;
  private Path root;

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(certDir);
  }

  @BeforeEach
  void start() throws Exception {
    root = Files.createDirectory(dir.resolve("www"));
    blob = new byte[3_000_000];
    new Random(7).nextBytes(blob);
    Files.write(root.resolve("blob.bin"), blob);
    Files.writeString(root.resolve("hello.txt"), "hello over h2\n");
    plain = builder().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    tls =
        builder()
            .tls(
                TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                    .build())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  private HttpServer.Builder builder() throws java.io.IOException {
    var files = new StaticFiles(root, StaticFiles.Options.DEFAULTS);
    return HttpServer.builder(group)
        .http2(true)
        .accessLog(log::add)
        .routeBlocking("GET", "/*", files)
        .routeBlocking(
            "GET",
            "/stream",
            (request, response) -> {
              // More than every window: the handler waits on flow control between writes.
              response.header("Content-Type", "application/octet-stream");
              for (int i = 0; i < blob.length; i += 100_000) {
                response.write(ByteBuffer.wrap(blob, i, Math.min(100_000, blob.length - i)));
              }
              response.end();
            })
        .post("/echo", (request, response) -> response.send(request.body()))
        .routeStreaming(
            "PUT",
            "/upload",
            64 << 20,
            (request, response) -> {
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
              response.send(total + " " + HexFormat.of().formatHex(digest.digest()));
            });
  }

  @AfterEach
  void stop() throws Exception {
    plain.close();
    tls.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
  }

  private ExternalProcess.Result curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
    command.addAll(List.of(args));
    return ExternalProcess.command(command).in(dir).run(WAIT);
  }

  private String h2c(String path) {
    return "http://127.0.0.1:" + plain.port() + path;
  }

  private String h2(String path) {
    return "https://localhost:" + tls.port() + path;
  }

  @Test
  void curlByPriorKnowledgeGetsFilesRangesAndConditionalAnswers() throws Exception {
    var hello =
        curl("--http2-prior-knowledge", "-w", "\n%{http_version} %{http_code}", h2c("/hello.txt"));
    assertThat(hello.out()).isEqualTo("hello over h2\n\n2 200");

    var whole = curl("--http2-prior-knowledge", "-o", "blob.out", h2c("/blob.bin"));
    assertThat(whole.exit()).as(whole.err()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("blob.out"))).isEqualTo(blob);

    var range =
        curl(
            "--http2-prior-knowledge",
            "-r",
            "1000-1009",
            "-w",
            "%{http_code}",
            "-o",
            "r.out",
            h2c("/blob.bin"));
    assertThat(range.out()).isEqualTo("206");
    assertThat(Files.readAllBytes(dir.resolve("r.out")))
        .isEqualTo(java.util.Arrays.copyOfRange(blob, 1000, 1010));

    var head = curl("--http2-prior-knowledge", "-I", h2c("/blob.bin"));
    assertThat(head.out()).startsWith("HTTP/2 200").contains("content-length: 3000000");
    String etag =
        head.out()
            .lines()
            .filter(l -> l.startsWith("etag:"))
            .findFirst()
            .orElseThrow()
            .substring(6);
    var notModified =
        curl(
            "--http2-prior-knowledge",
            "-H",
            "If-None-Match: " + etag.strip(),
            "-w",
            "%{http_code}",
            h2c("/blob.bin"));
    assertThat(notModified.out()).isEqualTo("304");

    var missing = curl("--http2-prior-knowledge", "-w", " %{http_code}", h2c("/nothing-here"));
    assertThat(missing.out()).endsWith(" 404");

    // HTTP/1.1 on the same port, told apart by the preface.
    var http1 = curl("--http1.1", "-w", " %{http_version}", h2c("/hello.txt"));
    assertThat(http1.out()).isEqualTo("hello over h2\n 1.1");
    assertThat(log)
        .extracting(AccessLogEntry::requestLine)
        .contains("GET /hello.txt HTTP/2.0", "GET /hello.txt HTTP/1.1", "HEAD /blob.bin HTTP/2.0");
  }

  @Test
  void curlOverTlsPicksH2ByAlpnAndHttp11StillWorks() throws Exception {
    var whole =
        curl(
            "--http2",
            "--cacert",
            certs.caCert().toString(),
            "-w",
            "%{http_version}",
            "-o",
            "blob.out",
            h2("/blob.bin"));
    assertThat(whole.out()).as(whole.err()).isEqualTo("2");
    assertThat(Files.readAllBytes(dir.resolve("blob.out"))).isEqualTo(blob);

    var streamed =
        curl("--http2", "--cacert", certs.caCert().toString(), "-o", "stream.out", h2("/stream"));
    assertThat(streamed.exit()).as(streamed.err()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("stream.out"))).isEqualTo(blob);

    var http1 =
        curl(
            "--http1.1",
            "--cacert",
            certs.caCert().toString(),
            "-w",
            " %{http_version}",
            h2("/hello.txt"));
    assertThat(http1.out()).isEqualTo("hello over h2\n 1.1");
  }

  @Test
  void uploadsStreamedAndBufferedArriveWhole() throws Exception {
    Path upload = dir.resolve("upload.bin");
    Files.write(upload, blob);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
    var streamed = curl("--http2-prior-knowledge", "-T", upload.toString(), h2c("/upload"));
    assertThat(streamed.out()).as(streamed.err()).isEqualTo(blob.length + " " + sha);
    var overTls =
        curl(
            "--http2",
            "--cacert",
            certs.caCert().toString(),
            "-T",
            upload.toString(),
            h2("/upload"));
    assertThat(overTls.out()).as(overTls.err()).isEqualTo(blob.length + " " + sha);

    var echoed =
        curl(
            "--http2-prior-knowledge",
            "--data-binary",
            "@" + upload,
            "-o",
            "echo.out",
            h2c("/echo"));
    assertThat(echoed.exit()).as(echoed.err()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("echo.out"))).isEqualTo(blob);
  }

  @Test
  void streamedAnswerWaitsForWindowAndArrivesWhole() throws Exception {
    var streamed = curl("--http2-prior-knowledge", "-o", "stream.out", h2c("/stream"));
    assertThat(streamed.exit()).as(streamed.err()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("stream.out"))).isEqualTo(blob);
  }

  @Test
  void smallFilesReadWholeArriveIntactByCurlAndUnderManyStreams() throws Exception {
    // Regions up to one DATA frame's default size are read by the handler's thread and queued as
    // bytes; one byte more goes as a file region: both sides of the line, whole and as a range.
    int[] sizes = {
      1, 4096, Http2ServerStream.READ_WHOLE_BYTES, Http2ServerStream.READ_WHOLE_BYTES + 1
    };
    Random random = new Random(11);
    for (int size : sizes) {
      byte[] content = new byte[size];
      random.nextBytes(content);
      Files.write(root.resolve("f" + size + ".bin"), content);
      for (String url : List.of(h2c("/f" + size + ".bin"), h2("/f" + size + ".bin"))) {
        var whole =
            curl(
                url.startsWith("https") ? "--http2" : "--http2-prior-knowledge",
                "--cacert",
                certs.caCert().toString(),
                "-w",
                "%{http_version}",
                "-o",
                "small.out",
                url);
        assertThat(whole.exit()).as(whole.err()).isZero();
        assertThat(whole.out()).isEqualTo("2");
        assertThat(Files.readAllBytes(dir.resolve("small.out"))).as(url).isEqualTo(content);
      }
      if (size > 100) {
        var range =
            curl(
                "--http2-prior-knowledge",
                "-r",
                "50-99",
                "-o",
                "range.out",
                h2c("/f" + size + ".bin"));
        assertThat(range.exit()).as(range.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("range.out")))
            .isEqualTo(java.util.Arrays.copyOfRange(content, 50, 100));
      }
    }
    // Many handlers hand their output to the loop at once, on 4 connections of 10 streams each.
    var load =
        ExternalProcess.command("h2load", "-n", "2000", "-c", "4", "-m", "10", h2c("/f4096.bin"))
            .run(WAIT);
    assertThat(load.exit()).as(load.out() + load.err()).isZero();
    assertThat(load.out()).contains("2000 succeeded, 0 failed").contains("2000 2xx");
  }

  @Test
  void nghttpGetsOneHundredConcurrentStreamsOnOneConnection() throws Exception {
    var small = ExternalProcess.command("nghttp", "-ns", "-m", "100", h2c("/hello.txt")).run(WAIT);
    assertThat(small.exit()).as(small.err()).isZero();
    assertThat(small.out().lines().filter(l -> l.contains(" 200 ")).count()).isEqualTo(100);

    var large =
        // Over TLS (nghttp does not check the certificate), 60 MB through the windows.
        ExternalProcess.command("nghttp", "-ns", "-m", "20", h2("/blob.bin")).run(WAIT);
    assertThat(large.exit()).as(large.err()).isZero();
    assertThat(large.out().lines().filter(l -> l.contains(" 200 ")).count()).isEqualTo(20);
  }
}
