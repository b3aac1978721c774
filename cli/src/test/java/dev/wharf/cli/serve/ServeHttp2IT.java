package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf serve} speaks HTTP/2 by prior knowledge on its HTTP/1.1 port: curl and nghttp as
 * clients, the access log naming HTTP/2.0; {@code --http1-only} turns it off.
 */
class ServeHttp2IT extends EndToEnd {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private Child serve(Path root, String... more) throws Exception {
    var args = serveOnLoopbackArgs(root, more);
    return wharf(null, dir.resolve("serve.out"), args);
  }

  private static ExternalProcess.Result run(String... command) throws Exception {
    return ExternalProcess.run(WAIT, command);
  }

  @Test
  void curlAndNghttpGetFilesRangesAndUploadsByPriorKnowledge() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path data = randomFile("www/data.bin", 1 << 20);
    Child server = serve(root, "--upload");
    int port = servedPort(dir.resolve("serve.out"), "http");
    String base = "http://127.0.0.1:" + port;

    Path got = dir.resolve("got.bin");
    var whole =
        run(
            "curl",
            "-sS",
            "--http2-prior-knowledge",
            "-w",
            "%{http_version}",
            "-o",
            got.toString(),
            base + "/data.bin");
    assertThat(whole.out()).as(whole.err()).isEqualTo("2");
    assertThat(sha256(got)).isEqualTo(sha256(data));
    var range =
        run(
            "curl",
            "-sS",
            "--http2-prior-knowledge",
            "-r",
            "0-99",
            "-w",
            " %{http_code}",
            "-o",
            "/dev/null",
            base + "/data.bin");
    assertThat(range.out()).isEqualTo(" 206");

    Path upload = randomFile("upload.bin", 3 << 20);
    var put =
        run(
            "curl",
            "-sS",
            "--http2-prior-knowledge",
            "-T",
            upload.toString(),
            "-w",
            " %{http_code}",
            base + "/uploaded.bin");
    assertThat(put.out()).as(put.err()).endsWith(" 201");
    assertThat(sha256(root.resolve("uploaded.bin"))).isEqualTo(sha256(upload));

    var nghttp = run("nghttp", "-ns", "-m", "100", base + "/data.bin");
    assertThat(nghttp.exit()).as(nghttp.err()).isZero();
    assertThat(nghttp.out().lines().filter(line -> line.contains(" 200 ")).count()).isEqualTo(100);

    server.awaitErr("\"GET /data.bin HTTP/2.0\" 200 1048576");
    server.awaitErr("\"PUT /uploaded.bin HTTP/2.0\" 201");
    server.awaitErr("\"GET /data.bin HTTP/2.0\" 200 1048576", 101);
  }

  /**
   * Our client against our server, the pairing every user of both meets: h2c by prior knowledge and
   * h2 by ALPN over serve's self-signed TLS, two URLs on one connection (streams 1 and 3).
   */
  @Test
  void wharfGetSpeaksHttp2ToWharfServeInTheClearAndOverTls() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path data = randomFile("www/data.bin", 300_000);
    Child plain = serve(root);
    int port = servedPort(dir.resolve("serve.out"), "http");
    String url = "http://127.0.0.1:" + port + "/data.bin";
    Path got = dir.resolve("got.bin");
    Child get = wharf(null, got, "get", "-v", "--http2-prior-knowledge", url, url);
    assertThat(get.awaitExit(WAIT)).as("stderr: %s", get.errLines()).isZero();
    assertThat(Files.size(got)).isEqualTo(2L * Files.size(data));
    assertThat(get.errLines())
        .contains(
            "* [HTTP/2] [1] OPENED stream for " + url,
            "* [HTTP/2] [3] OPENED stream for " + url,
            "< HTTP/2 200");
    plain.awaitErr("\"GET /data.bin HTTP/2.0\" 200 300000", 2);
    plain.end();

    Child tls = wharf(null, dir.resolve("tls.out"), serveOnLoopbackArgs(root, "--tls"));
    int tlsPort = servedPort(dir.resolve("tls.out"), "https");
    String secure = "https://127.0.0.1:" + tlsPort + "/data.bin";
    Path gotTls = dir.resolve("got-tls.bin");
    Child getTls = wharf(null, gotTls, "get", "-v", "-k", secure);
    assertThat(getTls.awaitExit(WAIT)).as("stderr: %s", getTls.errLines()).isZero();
    assertThat(sha256(gotTls)).isEqualTo(sha256(data));
    assertThat(getTls.errLines())
        .anyMatch(line -> line.startsWith("* TLSv1.") && line.contains("ALPN h2,"))
        .contains("* using HTTP/2", "< HTTP/2 200");
    tls.awaitErr("\"GET /data.bin HTTP/2.0\" 200 300000");
  }

  @Test
  void http1OnlyAnswersThePrefaceAsABadHttp11Request() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("hello.txt"), "hello\n");
    serve(root, "--http1-only");
    int port = servedPort(dir.resolve("serve.out"), "http");

    var h2 =
        run(
            "curl",
            "-sS",
            "--max-time",
            "10",
            "--http2-prior-knowledge",
            "http://127.0.0.1:" + port + "/hello.txt");
    assertThat(h2.exit()).as("curl speaking h2 to an HTTP/1.1-only server").isNotZero();
    var http1 = run("curl", "-sS", "http://127.0.0.1:" + port + "/hello.txt");
    assertThat(http1.out()).isEqualTo("hello\n");
  }
}
