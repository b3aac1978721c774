package dev.wharf.http.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.ExternalProcess.Result;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StaticFiles} where clients probe its edges: validators, trailing slashes, range sets that
 * would amplify, links to hidden files and slashes that would redirect off-site. Spoken to by curl
 * and raw sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StaticFilesEdgeCasesIT {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  private Path root;
  private final byte[] blob = new byte[300_000];
  private final EventLoopGroup group = new EventLoopGroup(1, "edges-it", true);
  private HttpServer server;
  private String base;

  private void serve(StaticFiles.Options options) throws Exception {
    root = Files.createDirectory(dir.resolve("www"));
    new java.util.Random(11).nextBytes(blob);
    Files.write(root.resolve("blob.bin"), blob);
    Files.writeString(root.resolve("hello.txt"), "hello, world\n");
    Files.writeString(root.resolve(".secret"), "hidden");
    Files.createSymbolicLink(root.resolve("notes.txt"), Path.of(".secret"));
    Files.createDirectory(root.resolve(".git"));
    Files.writeString(root.resolve(".git/config"), "hidden too");
    Files.createSymbolicLink(root.resolve("code"), Path.of(".git"));
    Files.createDirectory(root.resolve("evil.example"));
    Files.writeString(root.resolve("app.js"), "console.log('plain')");
    try (var gz = new GZIPOutputStream(Files.newOutputStream(root.resolve("app.js.gz")))) {
      gz.write("console.log('plain')".getBytes(StandardCharsets.UTF_8));
    }
    server = StaticFilesIT.serve(group, new StaticFiles(root, options));
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private static String curl(String... args) throws Exception {
    var command = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "-i"));
    command.addAll(java.util.List.of(args));
    Result run = StaticFilesIT.run(command.toArray(String[]::new));
    assertThat(run.exit()).as(run.err()).isZero();
    return run.outLatin1();
  }

  /** The value of {@code name} in a head curl printed with -i. */
  private static String header(String response, String name) {
    return response
        .lines()
        .filter(line -> line.regionMatches(true, 0, name + ": ", 0, name.length() + 2))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + response))
        .substring(name.length() + 2);
  }

  @Test
  void aFileNameWithATrailingSlashIs404AsInNginx() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    assertThat(curl(base + "/hello.txt/"))
        .startsWith("HTTP/1.1 404")
        .doesNotContain("hello, world");
    assertThat(curl(base + "/hello.txt")).startsWith("HTTP/1.1 200");
  }

  @Test
  void ifMatchAndIfUnmodifiedSinceThatFailAre412() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    String head = curl("-I", base + "/hello.txt");
    String etag = header(head, "ETag");

    assertThat(curl("-H", "If-Match: \"not-it\"", base + "/hello.txt"))
        .startsWith("HTTP/1.1 412")
        .doesNotContain("hello, world");
    // RFC 9110 §13.1.1: If-Match compares strongly, so a weak tag never matches.
    assertThat(curl("-H", "If-Match: W/" + etag, base + "/hello.txt")).startsWith("HTTP/1.1 412");
    assertThat(curl("-H", "If-Match: \"x\", " + etag, base + "/hello.txt"))
        .startsWith("HTTP/1.1 200")
        .endsWith("hello, world\n");
    assertThat(curl("-H", "If-Match: *", base + "/hello.txt")).startsWith("HTTP/1.1 200");
    assertThat(
            curl("-H", "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT", base + "/hello.txt"))
        .startsWith("HTTP/1.1 412");
    assertThat(
            curl(
                "-H", "If-Unmodified-Since: " + header(head, "Last-Modified"), base + "/hello.txt"))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void aPrecompressedSiblingHasAnEntityTagOfItsOwn() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    String plain = curl("-I", base + "/app.js");
    String gzipped = curl("-I", "-H", "Accept-Encoding: gzip", base + "/app.js");
    assertThat(gzipped).contains("Content-Encoding: gzip");
    // RFC 9110 §8.8.3: a cache must not answer one coding with the other's validator.
    assertThat(header(gzipped, "ETag")).isNotEqualTo(header(plain, "ETag"));
    assertThat(
            curl(
                "-H",
                "Accept-Encoding: gzip",
                "-H",
                "If-None-Match: " + header(gzipped, "ETag"),
                base + "/app.js"))
        .startsWith("HTTP/1.1 304");
    assertThat(curl("-H", "If-None-Match: " + header(gzipped, "ETag"), base + "/app.js"))
        .startsWith("HTTP/1.1 200")
        .endsWith("console.log('plain')");
  }

  @Test
  void overlappingAndAdjacentRangesGoOutOnceInOnePart() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    String merged = curl("-r", "0-99,50-149,150-199", base + "/blob.bin");
    assertThat(merged)
        .startsWith("HTTP/1.1 206")
        .contains("Content-Range: bytes 0-199/300000")
        .contains("Content-Length: 200")
        .doesNotContain("multipart");
    assertThat(
            merged.substring(merged.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.ISO_8859_1))
        .isEqualTo(Arrays.copyOfRange(blob, 0, 200));

    String two = curl("-r", "500-599,0-9,5-19", base + "/blob.bin");
    assertThat(two).startsWith("HTTP/1.1 206").contains("multipart/byteranges");
    // In ascending order, each byte once.
    assertThat(two.indexOf("Content-Range: bytes 0-19/300000"))
        .isPositive()
        .isLessThan(two.indexOf("Content-Range: bytes 500-599/300000"));
  }

  @Test
  void rangesAddingUpToMoreThanTheFileGetTheWholeFileOnce() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    var ranges = new StringJoiner(",");
    for (int i = 0; i < 16; i++) {
      ranges.add("0-99999");
    }
    Path out = dir.resolve("whole");
    Result run =
        StaticFilesIT.run(
            "curl",
            "-sS",
            "-r",
            ranges.toString(),
            "-o",
            out.toString(),
            "-w",
            "%{http_code}",
            base + "/blob.bin");
    assertThat(run.outLatin1()).isEqualTo("200");
    assertThat(Files.readAllBytes(out)).isEqualTo(blob);
  }

  /**
   * Sixteen ranges of a large file, read by a client that reads slowly: the server holds one
   * descriptor of the file however far behind the client is, not one per range.
   */
  @Test
  void aRequestForManyRangesHoldsOneDescriptorOfTheFile() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    Path big = root.resolve("big.bin");
    var ranges = new StringJoiner(",", "bytes=", "");
    try (var file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(32L * MIB); // Sparse: zeros but where each range begins.
      for (int i = 0; i < 16; i++) {
        file.seek(2L * i * MIB);
        file.write(i + 1);
        ranges.add(2L * i * MIB + "-" + ((2L * i + 1) * MIB - 1));
      }
    }
    int most = 0;
    long bodyBytes = 0;
    try (var socket = new Socket()) {
      socket.setReceiveBufferSize(16 * 1024); // Before connecting: a small window.
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
      socket.setSoTimeout(20_000);
      socket
          .getOutputStream()
          .write(
              ("GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\nRange: "
                      + ranges
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        bodyBytes += n;
        most = Math.max(most, openDescriptorsOf(big));
      }
    }
    assertThat(bodyBytes).as("bytes received").isGreaterThan(16L * MIB);
    assertThat(most).as("descriptors of big.bin held while the client read").isLessThanOrEqualTo(1);
  }

  /** How many descriptors of this process are open on {@code file} (Linux's /proc). */
  private static int openDescriptorsOf(Path file) throws IOException {
    Path real = file.toRealPath();
    int count = 0;
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(fd).equals(real)) {
            count++;
          }
        } catch (IOException closedMeanwhile) {
          // Gone between the listing and the look: not open.
        }
      }
    }
    return count;
  }

  @Test
  void aLinkWithAPlainNameToAHiddenFileShowsNothing() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    assertThat(curl(base + "/notes.txt")).startsWith("HTTP/1.1 404").doesNotContain("hidden");
    assertThat(curl(base + "/code/config")).startsWith("HTTP/1.1 404").doesNotContain("hidden");
  }

  @Test
  void anUploadsTemporaryFileIsNeitherListedNorServedEvenWithHiddenFilesShown() throws Exception {
    serve(new StaticFiles.Options(true, true, false));
    Files.writeString(root.resolve(".wharf-upload-42.part"), "half an upload");

    assertThat(curl("-H", "Accept: application/json", base + "/"))
        .contains("\"name\":\".secret\"")
        .doesNotContain("wharf-upload");
    assertThat(curl(base + "/")).contains(".secret").doesNotContain("wharf-upload");
    assertThat(curl(base + "/.wharf-upload-42.part"))
        .startsWith("HTTP/1.1 404")
        .doesNotContain("half an upload");
  }

  @Test
  void aDirectoryRedirectNeverLeadsToAnotherHost() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    String response = raw("GET //evil.example HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 301").contains("\r\nLocation: /evil.example/\r\n");
    String nested = raw("GET /evil.example//.//x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(nested).doesNotContain("Location: //");
  }

  @Test
  void everyServedFileAndListingSaysNoSniff() throws Exception {
    serve(StaticFiles.Options.DEFAULTS);
    assertThat(curl("-I", base + "/hello.txt")).contains("X-Content-Type-Options: nosniff");
    assertThat(curl("-I", base + "/blob.bin")).contains("X-Content-Type-Options: nosniff");
    assertThat(curl("-I", base + "/")).contains("X-Content-Type-Options: nosniff");
  }

  private String raw(String request) throws IOException {
    return StaticFilesIT.raw(server.port(), request);
  }
}
