package dev.wharf.http.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.ExternalProcess.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StaticFiles}' cache (nginx's {@code open_file_cache}), with curl as the client: what a
 * change on disk does within and after the time to live, that links out of the root and deletions
 * are seen, and that ranges, conditions and HEAD are answered right from memory. Tests that wait
 * for the time to live poll with a generous deadline: a loaded machine may take longer, never less.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StaticFilesCacheIT {
  /** Short, so that tests of what happens after it do not wait long. */
  private static final Duration SHORT_TTL = Duration.ofMillis(300);

  /** Longer than any test, so that what is served within it is surely the cached answer. */
  private static final Duration LONG_TTL = Duration.ofMinutes(10);

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;
  private Path root;
  private final EventLoopGroup group = new EventLoopGroup(1, "cache-it", true);
  private HttpServer server;
  private String base;

  @BeforeEach
  void files() throws IOException {
    root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("note.txt"), "first version\n");
    Files.writeString(dir.resolve("outside.txt"), "must never be served");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private void serve(Duration ttl) throws IOException {
    var files =
        new StaticFiles(
            root, StaticFiles.Options.DEFAULTS, StaticFiles.Caching.DEFAULTS.withTtl(ttl));
    server = StaticFilesIT.serve(group, files);
    base = "http://127.0.0.1:" + server.port();
  }

  @Test
  void withinItsTimeToLiveAChangedFileIsServedAsItWas() throws Exception {
    serve(LONG_TTL);
    assertThat(body("/note.txt")).isEqualTo("first version\n");
    Files.writeString(root.resolve("note.txt"), "second version, longer\n");
    // The cache is what answered: the file on disk says otherwise.
    assertThat(body("/note.txt")).isEqualTo("first version\n");
  }

  @Test
  void aChangedFileIsServedFreshWithNewValidatorsOnceItsTimeToLiveIsOver() throws Exception {
    serve(SHORT_TTL);
    Result first = curl("-i", base + "/note.txt");
    assertThat(first.outLatin1()).startsWith("HTTP/1.1 200").endsWith("first version\n");
    Files.writeString(root.resolve("note.txt"), "second version, longer\n");
    Files.setLastModifiedTime(
        root.resolve("note.txt"), FileTime.from(Instant.now().plusSeconds(60)));
    Await.until(
        "the new content is served",
        DEADLINE,
        () -> body("/note.txt").equals("second version, longer\n"));
    Result second = curl("-i", base + "/note.txt");
    assertThat(header(second, "ETag")).isPresent().isNotEqualTo(header(first, "ETag"));
    assertThat(header(second, "Last-Modified"))
        .isPresent()
        .isNotEqualTo(header(first, "Last-Modified"));
    assertThat(header(second, "Content-Length")).contains("23");
  }

  @Test
  void aDeletedFileIs404OnceItsTimeToLiveIsOver() throws Exception {
    serve(SHORT_TTL);
    assertThat(status("/note.txt")).isEqualTo("200");
    Files.delete(root.resolve("note.txt"));
    Await.until("the deleted file is 404", DEADLINE, () -> status("/note.txt").equals("404"));
  }

  @Test
  void aSmallFileReplacedByALinkOutOfTheRootIsRefusedOnceItsTimeToLiveIsOver() throws Exception {
    serve(SHORT_TTL);
    assertThat(status("/note.txt")).isEqualTo("200");
    Files.delete(root.resolve("note.txt"));
    Files.createSymbolicLink(root.resolve("note.txt"), dir.resolve("outside.txt"));
    Await.until(
        "the link out of the root is refused",
        DEADLINE,
        () -> {
          Result answer = curl("-i", base + "/note.txt");
          // Until then, the bytes of the file that was inside, never those outside.
          assertThat(answer.outLatin1()).doesNotContain("must never be served");
          return answer.outLatin1().startsWith("HTTP/1.1 403");
        });
  }

  @Test
  void aLargeFileReplacedByALinkOutOfTheRootIsRefusedAtOnce() throws Exception {
    // Sent from disk, so a hit looks at the file again: a different file is not the one checked.
    byte[] large = new byte[100_000];
    new Random(3).nextBytes(large);
    Files.write(root.resolve("large.bin"), large);
    Files.write(dir.resolve("outside.bin"), new byte[200_000]);
    serve(LONG_TTL);
    assertThat(status("/large.bin")).isEqualTo("200");
    Files.delete(root.resolve("large.bin"));
    Files.createSymbolicLink(root.resolve("large.bin"), dir.resolve("outside.bin"));
    assertThat(status("/large.bin")).isEqualTo("403");
  }

  @Test
  void rangesConditionsAndHeadAreRightFromMemory() throws Exception {
    byte[] content = new byte[4096];
    new Random(7).nextBytes(content);
    Files.write(root.resolve("small.bin"), content);
    serve(LONG_TTL);
    Result whole = curl("-i", base + "/small.bin"); // Fills the cache.
    String etag = header(whole, "ETag").orElseThrow();
    String modified = header(whole, "Last-Modified").orElseThrow();
    Path out = dir.resolve("out");

    Result single = curl("-r", "100-199", "-o", out.toString(), "-w", "%{http_code}", url());
    assertThat(single.outLatin1()).isEqualTo("206");
    assertThat(Files.readAllBytes(out)).isEqualTo(Arrays.copyOfRange(content, 100, 200));

    Result suffix = curl("-r", "-10", "-o", out.toString(), url());
    assertThat(suffix.exit()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(Arrays.copyOfRange(content, 4086, 4096));

    Result multi = curl("-i", "-r", "0-4,10-14", url());
    assertThat(multi.outLatin1())
        .startsWith("HTTP/1.1 206")
        .contains("Content-Type: multipart/byteranges; boundary=")
        .contains("Content-Range: bytes 0-4/4096")
        .contains("Content-Range: bytes 10-14/4096");
    byte[] multiBytes = multi.outLatin1().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(indexOf(multiBytes, Arrays.copyOfRange(content, 10, 15))).isPositive();

    assertThat(curl("-i", "-r", "5000-", url()).outLatin1())
        .startsWith("HTTP/1.1 416")
        .contains("Content-Range: bytes */4096");

    assertThat(statusWith("If-None-Match: " + etag)).isEqualTo("304");
    assertThat(statusWith("If-Modified-Since: " + modified)).isEqualTo("304");
    assertThat(statusWith("If-Match: \"other\"")).isEqualTo("412");
    assertThat(statusWith("If-None-Match: \"other\"")).isEqualTo("200");
    assertThat(
            curl(
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "-r",
                    "0-9",
                    "-H",
                    "If-Range: " + etag,
                    url())
                .outLatin1())
        .isEqualTo("206");
    assertThat(
            curl(
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "-r",
                    "0-9",
                    "-H",
                    "If-Range: \"other\"",
                    url())
                .outLatin1())
        .as("a range of another version: the whole file")
        .isEqualTo("200");

    Result head = curl("-I", url());
    assertThat(head.outLatin1())
        .startsWith("HTTP/1.1 200")
        .contains("Content-Length: 4096")
        .contains("ETag: " + etag)
        .contains("X-Content-Type-Options: nosniff");
    Result get = curl("-o", out.toString(), url());
    assertThat(get.exit()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(content);
  }

  @Test
  void anUploadIsServedAtOnceThoughTheOldFileWasCached() throws Exception {
    var files =
        new StaticFiles(
            root, StaticFiles.Options.DEFAULTS, StaticFiles.Caching.DEFAULTS.withTtl(LONG_TTL));
    var uploads = new Uploads(root, new Uploads.Options(true, false), files::forgetCached);
    server =
        HttpServer.builder(group)
            .routeBlocking("GET", "/*", files)
            .routeStreaming("PUT", "/*", 1 << 20, uploads)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    base = "http://127.0.0.1:" + server.port();
    assertThat(body("/note.txt")).isEqualTo("first version\n");
    Path upload = dir.resolve("upload.txt");
    Files.writeString(upload, "uploaded\n");
    Result putFile =
        curl("-o", "/dev/null", "-w", "%{http_code}", "-T", upload.toString(), base + "/note.txt");
    assertThat(putFile.outLatin1()).startsWith("2");
    assertThat(body("/note.txt")).isEqualTo("uploaded\n");
  }

  @Test
  void behindBasicAuthACachedFileGoesOnlyToTheRightCredentials() throws Exception {
    var files =
        new StaticFiles(
            root, StaticFiles.Options.DEFAULTS, StaticFiles.Caching.DEFAULTS.withTtl(LONG_TTL));
    var guarded = BasicAuth.protect("files", BasicAuth.Credentials.parse("ann:s3cret"), files);
    server =
        HttpServer.builder(group)
            .routeBlocking("GET", "/*", guarded)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    base = "http://127.0.0.1:" + server.port();
    // The first fills the cache; the next ones are answered from it, on the loop.
    for (int i = 0; i < 3; i++) {
      assertThat(curl("-u", "ann:s3cret", base + "/note.txt").outLatin1())
          .isEqualTo("first version\n");
      assertThat(status("/note.txt")).isEqualTo("401");
      assertThat(
              curl("-o", "/dev/null", "-w", "%{http_code}", "-u", "ann:wrong", base + "/note.txt")
                  .outLatin1())
          .isEqualTo("401");
    }
  }

  private String url() {
    return base + "/small.bin";
  }

  private String statusWith(String header) throws IOException {
    return curl("-o", "/dev/null", "-w", "%{http_code}", "-H", header, url()).outLatin1();
  }

  private String status(String path) throws IOException {
    return curl("-o", "/dev/null", "-w", "%{http_code}", base + path).outLatin1();
  }

  private String body(String path) throws IOException {
    return curl(base + path).outLatin1();
  }

  private static Result curl(String... args) throws IOException {
    var command = new java.util.ArrayList<String>();
    command.add("curl");
    command.add("-sS");
    command.addAll(Arrays.asList(args));
    return ExternalProcess.run(Duration.ofSeconds(60), command.toArray(String[]::new));
  }

  private static Optional<String> header(Result response, String name) {
    Matcher m =
        Pattern.compile("(?im)^" + Pattern.quote(name) + ": *([^\\r\\n]*)")
            .matcher(response.outLatin1());
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
