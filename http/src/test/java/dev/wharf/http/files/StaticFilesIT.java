package dev.wharf.http.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.AccessLogEntry;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.ExternalProcess.Result;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link StaticFiles} behind a real server, spoken to by curl, Python and raw sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StaticFilesIT {
  // Not final: StaticFilesCachedIT runs these tests again with the cache on.
  @TempDir Path dir;
  private Path root;
  private byte[] blob;
  private final EventLoopGroup group = new EventLoopGroup(2, "http-it", true);
  private HttpServer server;
  private String base;

  @BeforeEach
  void start() throws Exception {
    root = Files.createDirectory(dir.resolve("www"));
    blob = new byte[300_000];
    new Random(9).nextBytes(blob);
    Files.write(root.resolve("blob.bin"), blob);
    Files.writeString(root.resolve("hello.txt"), "hello, world\n");
    Files.writeString(root.resolve(".secret"), "hidden");
    Files.createDirectory(root.resolve("docs"));
    Files.writeString(root.resolve("docs/index.html"), "<h1>docs</h1>");
    Files.createDirectory(root.resolve("empty dir"));
    Files.writeString(dir.resolve("outside.txt"), "must never be served");
    Files.createSymbolicLink(root.resolve("escape"), dir.resolve("outside.txt"));
    Files.writeString(root.resolve("app.js"), "console.log('plain')");
    try (var gz = new GZIPOutputStream(Files.newOutputStream(root.resolve("app.js.gz")))) {
      gz.write("console.log('plain')".getBytes(StandardCharsets.UTF_8));
    }
    server = serve(group, files(root));
    base = "http://127.0.0.1:" + server.port();
  }

  /** The handler under test; {@link StaticFilesCachedIT} runs every test with its cache on. */
  StaticFiles files(Path root) throws IOException {
    return new StaticFiles(root, StaticFiles.Options.DEFAULTS);
  }

  /** A server of {@code files} for GET and HEAD of every path, on a loopback port. */
  static HttpServer serve(EventLoopGroup group, StaticFiles files) throws IOException {
    return HttpServer.builder(group)
        .routeBlocking("GET", "/*", files)
        .routeBlocking("GET", "/", files)
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  static Result run(String... command) throws IOException {
    return ExternalProcess.run(Duration.ofSeconds(60), command);
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void curlDownloadsAFileByteExact() throws Exception {
    Path out = dir.resolve("download");
    Result run = run("curl", "-sS", "-f", "-o", out.toString(), base + "/blob.bin");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(sha256(Files.readAllBytes(out))).isEqualTo(sha256(blob));
  }

  @Test
  void curlHeadShowsLengthAndValidators() throws Exception {
    Result run = run("curl", "-sS", "-I", base + "/hello.txt");
    assertThat(run.outLatin1())
        .startsWith("HTTP/1.1 200 OK")
        .contains("Content-Length: 13")
        .contains("Content-Type: text/plain; charset=utf-8")
        .containsPattern("ETag: \"[0-9a-f]+-[0-9a-f]+\"")
        .contains("Last-Modified: ");
  }

  @Test
  void conditionalRequestsGet304() throws Exception {
    Result head = run("curl", "-sS", "-I", base + "/hello.txt");
    String etag =
        head.outLatin1()
            .lines()
            .filter(l -> l.startsWith("ETag: "))
            .findFirst()
            .orElseThrow()
            .substring(6);
    String modified =
        head.outLatin1()
            .lines()
            .filter(l -> l.startsWith("Last-Modified: "))
            .findFirst()
            .orElseThrow()
            .substring(15);
    assertThat(statusWith("If-None-Match: " + etag)).isEqualTo("304");
    assertThat(statusWith("If-Modified-Since: " + modified)).isEqualTo("304");
    assertThat(statusWith("If-None-Match: \"other\"")).isEqualTo("200");
  }

  @Test
  void rangesSingleMultipleAndUnsatisfiable() throws Exception {
    Path out = dir.resolve("part");
    Result single =
        run(
            "curl",
            "-sS",
            "-r",
            "1000-1999",
            "-o",
            out.toString(),
            "-w",
            "%{http_code}",
            base + "/blob.bin");
    assertThat(single.outLatin1()).isEqualTo("206");
    assertThat(Files.readAllBytes(out)).isEqualTo(java.util.Arrays.copyOfRange(blob, 1000, 2000));

    Result suffix = run("curl", "-sS", "-r", "-100", "-o", out.toString(), base + "/blob.bin");
    assertThat(suffix.exit()).isZero();
    assertThat(Files.readAllBytes(out))
        .isEqualTo(java.util.Arrays.copyOfRange(blob, blob.length - 100, blob.length));

    Result multi = run("curl", "-sS", "-i", "-r", "0-4,10-14", base + "/blob.bin");
    assertThat(multi.outLatin1())
        .startsWith("HTTP/1.1 206")
        .contains("Content-Type: multipart/byteranges; boundary=")
        .contains("Content-Range: bytes 0-4/300000")
        .contains("Content-Range: bytes 10-14/300000");
    String multiHead = multi.out().substring(0, multi.out().indexOf("\r\n\r\n"));
    assertThat(multiHead.lines().filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13)))
        .as("the answer's Content-Type fields (the parts carry the file's)")
        .singleElement()
        .asString()
        .startsWith("Content-Type: multipart/byteranges; boundary=");

    Result tooFar = run("curl", "-sS", "-i", "-r", "400000-", base + "/blob.bin");
    assertThat(tooFar.outLatin1())
        .startsWith("HTTP/1.1 416")
        .contains("Content-Range: bytes */300000");
  }

  @Test
  void curlReusesTheKeptAliveConnection() throws Exception {
    Result run =
        run(
            "curl",
            "-sS",
            "-v",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            base + "/hello.txt",
            base + "/blob.bin");
    assertThat(run.exit()).isZero();
    assertThat(run.err()).containsPattern("(?i)re-?using (existing )?connection");
  }

  @Test
  void directoriesRedirectThenServeIndexOrAListing() throws Exception {
    Result redirect = run("curl", "-sS", "-i", base + "/docs");
    assertThat(redirect.outLatin1()).startsWith("HTTP/1.1 301").contains("Location: /docs/");
    assertThat(run("curl", "-sS", "-L", base + "/docs").outLatin1()).isEqualTo("<h1>docs</h1>");
    Result listing = run("curl", "-sS", base + "/");
    assertThat(listing.outLatin1())
        .contains("href=\"blob.bin\"")
        .contains("href=\"empty%20dir/\"")
        .doesNotContain(".secret");
    Result json = run("curl", "-sS", "-H", "Accept: application/json", base + "/");
    assertThat(json.outLatin1())
        .startsWith("[")
        .contains("{\"name\":\"app.js\",\"type\":\"file\",\"size\":20,");
  }

  @Test
  void precompressedSiblingIsSentToClientsThatAcceptIt() throws Exception {
    Result compressed = run("curl", "-sS", "--compressed", "-D", "-", base + "/app.js");
    assertThat(compressed.outLatin1())
        .contains("Content-Encoding: gzip")
        .endsWith("console.log('plain')");
    Result plain = run("curl", "-sS", base + "/app.js");
    assertThat(plain.outLatin1()).isEqualTo("console.log('plain')");
  }

  @Test
  void nothingOutsideTheRootIsEverServed() throws Exception {
    List<String> corpus =
        List.of(
            "/../outside.txt",
            "/..%2foutside.txt",
            "/%2e%2e/outside.txt",
            "/%2E%2E/outside.txt",
            "/docs/../../outside.txt",
            "/docs/%2e%2e/%2e%2e/outside.txt",
            "/..\\outside.txt",
            "/%5c..%5coutside.txt",
            "/docs%2f..%2f..%2foutside.txt",
            "/hello.txt%00.html",
            "/%c0%ae%c0%ae/outside.txt",
            "/escape",
            "/.secret",
            "//../outside.txt",
            "/./../outside.txt");
    for (String path : corpus) {
      String response = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(response).as(path).doesNotContain("must never be served").doesNotContain("hidden");
      assertThat(response.substring(0, 12))
          .as(path)
          .isIn("HTTP/1.1 400", "HTTP/1.1 403", "HTTP/1.1 404");
    }
  }

  @Test
  void pythonHttpClientKeepsOneConnectionForSeveralRequests() throws Exception {
    String script =
        """
        import http.client, sys
        c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]))
        for path in ['/hello.txt', '/blob.bin', '/hello.txt']:
            c.request('GET', path)
            r = c.getresponse()
            body = r.read()
            print(r.status, len(body), c.sock.getsockname()[1])
        """;
    Result run = run("/usr/bin/python3", "-c", script, Integer.toString(server.port()));
    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = run.outLatin1().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("200 13 ");
    assertThat(lines.get(1)).startsWith("200 300000 ");
    // The same local port each time: one kept-alive connection.
    assertThat(lines.stream().map(l -> l.split(" ")[2]).distinct()).hasSize(1);
  }

  @Test
  void anHonestClientIsServedWhileThousandsOfSlowClientsHang() throws Exception {
    var slow = new ArrayList<Socket>();
    try {
      for (int i = 0; i < 2000; i++) {
        var socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket
            .getOutputStream()
            .write(
                "GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      Result honest = run("curl", "-sS", "--max-time", "10", base + "/hello.txt");
      assertThat(honest.outLatin1()).isEqualTo("hello, world\n");
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  /** The status curl gets for /hello.txt when it sends one extra header. */
  private String statusWith(String header) throws Exception {
    return run(
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            header,
            base + "/hello.txt")
        .outLatin1();
  }

  private String raw(String request) throws IOException {
    return raw(server.port(), request);
  }

  /** Sends {@code request} as it is and returns all that comes back until the server closes. */
  static String raw(int port, String request) throws IOException {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void aTransferTheClientResetsLogsTheBytesThatWentOutNotTheFileLength() throws Exception {
    long size = 64L << 20;
    try (var file = new java.io.RandomAccessFile(root.resolve("large.bin").toFile(), "rw")) {
      file.setLength(size); // Sparse: made at once.
    }
    var logged = new java.util.concurrent.LinkedBlockingQueue<AccessLogEntry>();
    var files = new StaticFiles(root, StaticFiles.Options.DEFAULTS);
    HttpServer logging =
        HttpServer.builder(group)
            .accessLog(logged::add)
            .routeBlocking("GET", "/*", files)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try {
      int bodyRead = readSomeThenReset(logging.port(), "/large.bin");
      assertLoggedWhatWentOut(logged, bodyRead, size);
    } finally {
      logging.close();
    }
  }

  /**
   * The file's handler queues all of it at once; a handler that writes a streamed body on after the
   * client reset (its writes dropped) must not have them logged as sent either. Before the fix
   * every one of the 64 MiB was logged.
   */
  @Test
  @Timeout(60)
  void aStreamedBodyTheClientResetsLogsTheBytesThatWentOutThoughTheHandlerWritesOn()
      throws Exception {
    long size = 64L << 20;
    var logged = new java.util.concurrent.LinkedBlockingQueue<AccessLogEntry>();
    HttpServer logging =
        HttpServer.builder(group)
            .accessLog(logged::add)
            .routeBlocking(
                "GET",
                "/stream",
                (request, response) -> {
                  response.header("Content-Length", Long.toString(size));
                  var mebibyte = java.nio.ByteBuffer.allocate(1 << 20);
                  for (long sent = 0; sent < size; sent += mebibyte.capacity()) {
                    response.write(mebibyte.duplicate()); // Returns at once once closed.
                  }
                  response.end();
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try {
      int bodyRead = readSomeThenReset(logging.port(), "/stream");
      assertLoggedWhatWentOut(logged, bodyRead, size);
    } finally {
      logging.close();
    }
  }

  /** The one access log line is a 200 with about the bytes the client read, not the length. */
  private static void assertLoggedWhatWentOut(
      java.util.concurrent.BlockingQueue<AccessLogEntry> logged, int bodyRead, long size)
      throws InterruptedException {
    AccessLogEntry entry = logged.poll(20, TimeUnit.SECONDS);
    assertThat(entry).as("the access log line").isNotNull();
    assertThat(entry.status()).isEqualTo(200);
    assertThat(entry.bodyBytes())
        .as("bytes logged, of %d", size)
        .isGreaterThanOrEqualTo(bodyRead)
        .isLessThan(size / 4);
  }

  /**
   * GETs {@code path} as a slow reader, reads the head and 1 MiB of the body, then resets the
   * connection as a client that gives up; returns the body bytes read.
   */
  private static int readSomeThenReset(int port, String path) throws IOException {
    try (var socket = new Socket()) {
      socket.setReceiveBufferSize(16 * 1024); // A slow reader: the body is still going out.
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(new String(readHead(in), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
      int bodyRead = in.readNBytes(1 << 20).length;
      socket.setSoLinger(true, 0); // The close resets.
      return bodyRead;
    }
  }

  /** Reads a response head up to its blank line, at most 8 KiB. */
  private static byte[] readHead(InputStream in) throws IOException {
    var head = new java.io.ByteArrayOutputStream();
    int state = 0; // How much of CR LF CR LF has been seen.
    while (state < 4 && head.size() < 8192) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      state = (b == (state % 2 == 0 ? '\r' : '\n')) ? state + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toByteArray();
  }
}
