package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real {@code wharf serve} with curl as its client, and {@code wharf get} against Python. */
class ServeAndGetIT extends EndToEnd {

  private int serve(Path root, String... extra) throws Exception {
    return serveOnLoopback(dir.resolve("serve.out"), Map.of(), root, extra);
  }

  private int python(Path root) throws Exception {
    return pythonHttpServer(root, dir.resolve("python.out"));
  }

  @Test
  void curlFetchesFromServeAndTheAccessLogRecordsIt() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path file = randomFile("www/data.bin", 2 << 20);
    Path out = dir.resolve("serve.out");
    Child server = wharf(null, out, serveOnLoopbackArgs(root));
    int port = servedPort(out, "http");

    Path got = curlDownload(port, "/data.bin");

    assertThat(sha256(got)).isEqualTo(sha256(file));
    server.awaitErr("\"GET /data.bin HTTP/1.1\" 200 2097152");
  }

  @Test
  void aFileChangedOnDiskIsServedFreshOnceItsFileCacheTimeIsOver() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("note.txt"), "first\n");
    int port = serve(root, "--file-cache", "0.3");
    String url = "http://127.0.0.1:" + port + "/note.txt";
    assertThat(curlWithStatus(url)).isEqualTo("first\n 200");
    Files.writeString(root.resolve("note.txt"), "second, longer\n");
    // Polled: a loaded machine may take longer than the 0.3 s, never less.
    Await.until(
        "the changed file is served",
        Duration.ofSeconds(30),
        () -> curlWithStatus(url).equals("second, longer\n 200"));
    Files.delete(root.resolve("note.txt"));
    Await.until(
        "the deleted file is 404",
        Duration.ofSeconds(30),
        () -> curlWithStatus("-o", "/dev/null", url).equals(" 404"));
  }

  @Test
  void serveStopsOnSigterm() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path out = dir.resolve("serve.out");
    Child server = wharf(null, out, serveOnLoopbackArgs(root));
    awaitMatch(out, Pattern.compile("(Serving)"));
    server.process().destroy();
    assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void serveRefusesABusyPortInOneLine() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")));
    Child second =
        wharf(
            null,
            null,
            "serve",
            dir.toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1");
    second.assertExitsWith(1, "wharf serve: address already in use: 127.0.0.1:" + port);
  }

  @Test
  void getDownloadsFromPythonByteExact() throws Exception {
    Path root = Files.createDirectory(dir.resolve("py"));
    Path file = randomFile("py/blob.bin", 3 << 20);
    int port = python(root);
    Path got = dir.resolve("got");

    Child get =
        wharf(null, null, "get", "-o", got.toString(), "http://127.0.0.1:" + port + "/blob.bin");

    assertThat(get.awaitExit()).isZero();
    assertThat(sha256(got)).isEqualTo(sha256(file));
  }

  @Test
  void getFollowsPythonsRedirectAndShowsHeads() throws Exception {
    Path root = Files.createDirectory(dir.resolve("py"));
    Files.createDirectory(root.resolve("sub"));
    Files.writeString(root.resolve("sub/index.html"), "found me");
    int port = python(root);
    Path out = dir.resolve("out");

    Child get = wharf(null, out, "get", "-v", "-L", "-i", "http://127.0.0.1:" + port + "/sub");

    assertThat(get.awaitExit()).isZero();
    String text = Files.readString(out, StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith("HTTP/1.0 200 OK\r\n").endsWith("\r\n\r\nfound me");
    assertThat(String.join("\n", get.errLines()))
        .contains(
            "* 301 redirect from http://127.0.0.1:"
                + port
                + "/sub to http://127.0.0.1:"
                + port
                + "/sub/")
        .contains("< HTTP/1.0 200 OK");
  }

  @Test
  void getFailsWithCurlsExitCodes() throws Exception {
    int port = python(Files.createDirectory(dir.resolve("py")));
    Child missing = wharf(null, null, "get", "-f", "http://127.0.0.1:" + port + "/missing");
    assertThat(missing.awaitExit()).isEqualTo(22);
    Child refused = wharf(null, null, "get", "http://127.0.0.1:" + closedPort() + "/");
    assertThat(refused.awaitExit()).isEqualTo(7);
    assertThat(refused.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf get: connection refused: 127.0.0.1:");
    Child unknown = wharf(null, null, "get", "http://no-such-host.invalid/");
    assertThat(unknown.awaitExit()).isEqualTo(6);
  }

  @Test
  void getWritesOutTimingsAsJson() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("a.txt"), "abc");
    int port = serve(root, "--quiet");
    Path out = dir.resolve("out");

    Child get = wharf(null, out, "get", "-s", "-w", "json", "http://127.0.0.1:" + port + "/a.txt");

    assertThat(get.awaitExit()).isZero();
    // The keys of curl's %{json}, in its order.
    assertThat(Files.readString(out))
        .startsWith("abc{\"content_type\":")
        .contains("\"http_code\":200,")
        .contains("\"size_download\":3,")
        .contains("\"time_total\":")
        .endsWith(",\"url_effective\":\"http://127.0.0.1:" + port + "/a.txt\"}\n");
  }

  @Test
  void ctrlCSaysWhatTheServerWaitsFor() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path out = dir.resolve("serve.out");
    Child serve =
        wharfHearingSigint(
            null, out, "serve", root.toString(), "--port", "0", "--bind", "127.0.0.1");
    awaitMatch(out, Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/"));

    serve.signal("INT");

    serve.awaitErr("stopping: no new connections; waiting up to 5 s for requests in flight");
    assertThat(serve.awaitExit()).isEqualTo(130);
  }

  @Test
  void aSecondCtrlCStopsAtOnceWhileATransferHoldsTheStop() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    try (var file = new java.io.RandomAccessFile(root.resolve("large.bin").toFile(), "rw")) {
      file.setLength(64L << 20); // Sparse: made at once.
    }
    Path out = dir.resolve("serve.out");
    Child serve =
        wharfHearingSigint(
            null, out, "serve", root.toString(), "--port", "0", "--bind", "127.0.0.1", "--quiet");
    int port =
        Integer.parseInt(awaitMatch(out, Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/")));
    try (var socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(16 * 1024); // A slow reader: the file is still going out.
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      socket
          .getOutputStream()
          .write("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(socket.getInputStream().readNBytes(16)).asString().startsWith("HTTP/1.1 200");
      long firstCtrlC = System.nanoTime();

      serve.signal("INT");
      serve.awaitErr("waiting up to 5 s for requests in flight; Ctrl-C again stops at once");
      serve.signal("INT");

      assertThat(serve.awaitExit()).isEqualTo(130);
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - firstCtrlC))
          .as("before the graceful stop would have cut the transfer")
          .isLessThan(ServeCommand.STOP_WAIT);
    }
  }
}
