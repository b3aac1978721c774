package dev.wharf.http.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.AccessLogEntry;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.ExternalProcess.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Uploads} behind a real server, fed by curl and raw sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UploadsIT {
  @TempDir Path dir;
  private Path root;
  private final EventLoopGroup group = new EventLoopGroup(1, "uploads-it", true);
  private HttpServer server;
  private final java.util.concurrent.BlockingQueue<AccessLogEntry> answered =
      new java.util.concurrent.LinkedBlockingQueue<>();

  private void start(Uploads.Options options, long maxBytes) throws Exception {
    root = Files.createDirectories(dir.resolve("www"));
    Files.createDirectory(root.resolve("inbox"));
    Files.writeString(root.resolve("inbox/taken.txt"), "original");
    Files.writeString(dir.resolve("outside.txt"), "outside");
    Files.createSymbolicLink(root.resolve("way-out"), dir);
    var uploads = new Uploads(root, options);
    var files = new StaticFiles(root, new StaticFiles.Options(true, false, false, true));
    server =
        HttpServer.builder(group)
            .accessLog(answered::add)
            .routeBlocking("GET", "/*", files)
            .routeStreaming("PUT", "/*", maxBytes, uploads)
            .routeStreaming("POST", "/*", maxBytes, uploads)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private Result curl(String... args) throws IOException {
    var command = new ArrayList<>(List.of("curl", "-sS", "--path-as-is"));
    command.addAll(List.of(args));
    return ExternalProcess.run(Duration.ofSeconds(60), command);
  }

  private Path local(String name, byte[] content) throws Exception {
    return Files.write(dir.resolve(name), content);
  }

  private List<String> leftovers() throws Exception {
    try (Stream<Path> all = Files.walk(root)) {
      return all.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part")).toList();
    }
  }

  @Test
  void putCreatesAFileAndRefusesToReplaceIt() throws Exception {
    start(Uploads.Options.DEFAULTS, 1L << 30);
    byte[] data = new byte[5_000_000];
    new Random(1).nextBytes(data);
    Path file = local("data.bin", data);

    Result created = curl("-w", "%{http_code}", "-T", file.toString(), url("/inbox/data.bin"));
    assertThat(created.out()).isEqualTo("created /inbox/data.bin (5000000 bytes)\n201");
    assertThat(Files.readAllBytes(root.resolve("inbox/data.bin"))).isEqualTo(data);
    assertThat(Files.getPosixFilePermissions(root.resolve("inbox/data.bin")).toString())
        .contains("OTHERS_READ");

    Result again = curl("-w", "%{http_code}", "-T", file.toString(), url("/inbox/taken.txt"));
    assertThat(again.out()).endsWith("409").contains("already exists");
    assertThat(Files.readString(root.resolve("inbox/taken.txt"))).isEqualTo("original");

    // The uploaded file is served back as it was sent.
    Result back = curl("-o", dir.resolve("back.bin").toString(), url("/inbox/data.bin"));
    assertThat(back.exit()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("back.bin"))).isEqualTo(data);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void overwriteReplacesWhenAsked() throws Exception {
    start(new Uploads.Options(true, false), 1L << 30);
    Path file = local("new.txt", "replacement".getBytes(StandardCharsets.UTF_8));
    Result run = curl("-w", "%{http_code}", "-T", file.toString(), url("/inbox/taken.txt"));
    assertThat(run.out()).isEqualTo("replaced /inbox/taken.txt (11 bytes)\n200");
    assertThat(Files.readString(root.resolve("inbox/taken.txt"))).isEqualTo("replacement");
  }

  @Test
  void nothingIsWrittenOutsideTheRootOrUnderAHiddenName() throws Exception {
    start(Uploads.Options.DEFAULTS, 1L << 30);
    Path file = local("x.txt", "x".getBytes(StandardCharsets.UTF_8));
    var attempts =
        List.of(
            "/../escaped.txt",
            "/inbox/%2e%2e/%2e%2e/escaped.txt",
            "/inbox%2f..%2f..%2fescaped.txt",
            "/way-out/escaped.txt",
            "/inbox/.hidden",
            "/.ssh/authorized_keys",
            "/inbox/a%00b",
            "/missing-dir/file.txt",
            "/inbox"); // A directory. (curl appends the file's name to a URL ending in /.)
    for (String path : attempts) {
      Result run = curl("-w", "%{http_code}", "-T", file.toString(), url(path));
      assertThat(run.out()).as(path).matches("(?s).*(400|403|404|409)$");
    }
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.map(p -> p.getFileName().toString()))
          .doesNotContain("escaped.txt", ".hidden", "authorized_keys", "file.txt");
    }
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aMultipartFormSavesEveryFile() throws Exception {
    start(Uploads.Options.DEFAULTS, 1L << 30);
    byte[] big = new byte[3_000_000];
    new Random(2).nextBytes(big);
    Path one = local("one.bin", big);
    Path two = local("two.txt", "second file\n".getBytes(StandardCharsets.UTF_8));
    Result run =
        curl(
            "-w",
            "%{http_code}",
            "-F",
            "note=not a file",
            "-F",
            "file=@" + one,
            "-F",
            "file=@" + two + ";filename=renamed.txt",
            url("/inbox/"));
    assertThat(run.out())
        .isEqualTo("saved one.bin (3000000 bytes)\nsaved renamed.txt (12 bytes)\n201");
    assertThat(Files.readAllBytes(root.resolve("inbox/one.bin"))).isEqualTo(big);
    assertThat(Files.readString(root.resolve("inbox/renamed.txt"))).isEqualTo("second file\n");
  }

  @Test
  void aBrowserFormGoesBackToTheListingWhichOffersTheForm() throws Exception {
    start(Uploads.Options.DEFAULTS, 1L << 30);
    Path file = local("page.html", "<p>hi</p>".getBytes(StandardCharsets.UTF_8));
    Result run =
        curl(
            "-w",
            "%{http_code} %{redirect_url}",
            "-H",
            "Accept: text/html,application/xhtml+xml",
            "-F",
            "file=@" + file,
            url("/inbox/"));
    assertThat(run.out()).isEqualTo(("303 " + url("/inbox/")));
    Result listing = curl(url("/inbox/"));
    assertThat(listing.out())
        .contains("page.html")
        .contains("<form method=\"post\" enctype=\"multipart/form-data\">");
  }

  @Test
  void multipartConflictsAndBadNamesAreReportedFileByFile() throws Exception {
    start(Uploads.Options.DEFAULTS, 1L << 30);
    Path file = local("ok.txt", "ok".getBytes(StandardCharsets.UTF_8));
    Result run =
        curl(
            "-w",
            "%{http_code}",
            "-F",
            "file=@" + file + ";filename=taken.txt",
            "-F",
            "file=@" + file + ";filename=.profile",
            "-F",
            "file=@" + file + ";filename=../../up.txt",
            url("/inbox/"));
    assertThat(run.out())
        .startsWith("saved up.txt (2 bytes)\n")
        .contains("refused taken.txt: already exists")
        .contains("refused .profile: names starting with a dot are refused")
        .endsWith("409");
    assertThat(root.resolve("inbox/up.txt")).exists();
    assertThat(dir.resolve("up.txt")).doesNotExist();
  }

  @Test
  void overTheLimitIs413AndMalformedFormsAre400() throws Exception {
    start(Uploads.Options.DEFAULTS, 1000);
    Path file = local("big.bin", new byte[5000]);
    Result tooBig = curl("-w", "%{http_code}", "-T", file.toString(), url("/inbox/big.bin"));
    assertThat(tooBig.out()).endsWith("413");
    Result notAForm = curl("-w", "%{http_code}", "-d", "plain=data", url("/inbox/"));
    assertThat(notAForm.out()).endsWith("415");
    Result broken =
        curl(
            "-w",
            "%{http_code}",
            "-H",
            "Content-Type: multipart/form-data; boundary=xyz",
            "--data-binary",
            "--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\ncut",
            url("/inbox/"));
    assertThat(broken.out()).endsWith("400").contains("malformed form");
    assertThat(root.resolve("inbox/big.bin")).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void anUploadCutOffHalfWayLeavesNoFile() throws Exception {
    start(Uploads.Options.DEFAULTS, 1L << 30);
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket
          .getOutputStream()
          .write(
              ("PUT /inbox/cut.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
                      + "x".repeat(300_000))
                  .getBytes(StandardCharsets.US_ASCII));
    }
    // The handler notices the close, removes its temporary file, and answers (into the void):
    // its access-log entry says it is done.
    AccessLogEntry entry = answered.poll(20, TimeUnit.SECONDS);
    assertThat(entry).isNotNull();
    assertThat(entry.requestLine()).isEqualTo("PUT /inbox/cut.bin HTTP/1.1");
    assertThat(entry.status()).isEqualTo(400);
    assertThat(leftovers()).isEmpty();
    assertThat(root.resolve("inbox/cut.bin")).doesNotExist();
    assertThat(curl(url("/inbox/taken.txt")).out()).isEqualTo("original");
  }

  @Test
  void temporaryFilesACrashLeftAreRemovedAndFreshOnesKept() throws Exception {
    start(Uploads.Options.DEFAULTS, 1L << 30);
    Path stale = Files.writeString(root.resolve("inbox/.wharf-upload-1.part"), "cut off");
    Files.setLastModifiedTime(
        stale,
        java.nio.file.attribute.FileTime.from(
            java.time.Instant.now().minus(Uploads.STALE_PART_AGE).minusSeconds(60)));
    Path fresh = Files.writeString(root.resolve(".wharf-upload-2.part"), "still arriving");
    Path other = Files.writeString(root.resolve("inbox/notes.part"), "not ours");
    Files.setLastModifiedTime(other, Files.getLastModifiedTime(stale));

    int removed = new Uploads(root, Uploads.Options.DEFAULTS).removeStaleParts();

    assertThat(removed).isOne();
    assertThat(stale).doesNotExist();
    assertThat(fresh).exists();
    assertThat(other).exists();
  }

  @Test
  void aTemporaryFileCannotBeUploadedOver() throws Exception {
    start(new Uploads.Options(false, true), 1L << 30);
    Result put = curl("-T", "-", "-w", "%{http_code}", url("/inbox/.wharf-upload-9.part"));
    assertThat(put.out()).endsWith("403");
  }
}
