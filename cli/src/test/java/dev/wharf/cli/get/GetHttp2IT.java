package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.TlsEndToEnd;
import dev.wharf.testkit.Nginx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf get --http2}, {@code --http1.1} and {@code --http2-prior-knowledge} against nginx
 * (Debian's, configured for h2 over TLS and h2c in a temporary directory), as curl's options do;
 * {@code -v} tells the protocol and the stream, and several URLs share one connection.
 */
class GetHttp2IT extends TlsEndToEnd {
  /**
   * A TLS client's first handshake loads the JDK's TLS and the providers' classes: seconds of CPU
   * that a loaded machine stretches past Child's default wait.
   */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(45);

  @TempDir static Path nginxDir;
  private static Nginx nginx;

  @BeforeAll
  static void startNginx() throws Exception {
    nginx = Nginx.start(nginxDir, certs, "");
    for (String name : List.of("a", "b", "c")) {
      Files.writeString(nginx.root().resolve(name + ".txt"), "file " + name + "\n");
    }
  }

  @AfterAll
  static void stopNginx() {
    if (nginx != null) {
      nginx.close();
    }
  }

  private Child get(Path body, String... args) throws Exception {
    var all = new ArrayList<>(List.of("get"));
    all.addAll(List.of(args));
    return wharf(null, body, all.toArray(String[]::new));
  }

  private static String https(String path) {
    return "https://localhost:" + nginx.tlsPort() + path;
  }

  private String body(Path file) throws Exception {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void http2IsNegotiatedByAlpnAndVerboseTellsTheStream() throws Exception {
    Path out = dir.resolve("out");

    Child get = get(out, "-v", "--http2", "--cacert", certs.caCert().toString(), https("/a.txt"));

    assertThat(get.awaitExit(EXIT_WAIT)).as("stderr: %s", get.errLines()).isZero();
    assertThat(body(out)).isEqualTo("file a\n");
    assertThat(get.errLines())
        .anyMatch(line -> line.startsWith("* TLSv1.") && line.contains("ALPN h2,"))
        .contains(
            "* using HTTP/2",
            "* [HTTP/2] [1] OPENED stream for " + https("/a.txt"),
            "> GET /a.txt HTTP/2",
            "< HTTP/2 200");
  }

  @Test
  void http2IsTheDefaultForHttps() throws Exception {
    Path out = dir.resolve("out");

    Child get = get(out, "-i", "--cacert", certs.caCert().toString(), https("/b.txt"));

    assertThat(get.awaitExit(EXIT_WAIT)).as("stderr: %s", get.errLines()).isZero();
    assertThat(body(out)).startsWith("HTTP/2 200\r\n").endsWith("\r\n\r\nfile b\n");
  }

  @Test
  void http11OnlySpeaksHttp11() throws Exception {
    Path out = dir.resolve("out");

    Child get = get(out, "-v", "--http1.1", "--cacert", certs.caCert().toString(), https("/a.txt"));

    assertThat(get.awaitExit(EXIT_WAIT)).as("stderr: %s", get.errLines()).isZero();
    assertThat(body(out)).isEqualTo("file a\n");
    assertThat(get.errLines())
        .anyMatch(line -> line.contains("ALPN http/1.1,"))
        .contains("* using HTTP/1.1", "< HTTP/1.1 200 OK");
  }

  @Test
  void priorKnowledgeSpeaksH2cOnCleartext() throws Exception {
    Path out = dir.resolve("out");

    Child get =
        get(
            out,
            "-v",
            "--http2-prior-knowledge",
            "http://127.0.0.1:" + nginx.cleartextPort() + "/c.txt");

    assertThat(get.awaitExit(EXIT_WAIT)).as("stderr: %s", get.errLines()).isZero();
    assertThat(body(out)).isEqualTo("file c\n");
    assertThat(get.errLines()).contains("* using HTTP/2", "< HTTP/2 200");
  }

  @Test
  @Timeout(120) // three exchanges after a TLS client's first handshake, on a loaded machine
  void severalUrlsShareOneConnectionOnSuccessiveStreams() throws Exception {
    Path out = dir.resolve("out");

    Child get =
        get(
            out,
            "-v",
            "--cacert",
            certs.caCert().toString(),
            https("/a.txt"),
            https("/b.txt"),
            https("/c.txt"));

    assertThat(get.awaitExit(EXIT_WAIT)).as("stderr: %s", get.errLines()).isZero();
    assertThat(body(out)).isEqualTo("file a\nfile b\nfile c\n");
    assertThat(get.errLines().stream().filter(line -> line.startsWith("* Connected to")))
        .hasSize(1);
    assertThat(get.errLines().stream().filter(line -> line.startsWith("* Re-using"))).hasSize(2);
    assertThat(get.errLines())
        .contains(
            "* [HTTP/2] [1] OPENED stream for " + https("/a.txt"),
            "* [HTTP/2] [3] OPENED stream for " + https("/b.txt"),
            "* [HTTP/2] [5] OPENED stream for " + https("/c.txt"));
  }

  @Test
  void twoVersionOptionsAreAMistake() throws Exception {
    Child get = get(null, "--http1.1", "--http2", https("/a.txt"));

    get.assertExitsWith(2, "wharf get: give one of --http1.1, --http2 and --http2-prior-knowledge");
  }

  @Test
  void outputFileGoesWithOneUrl() throws Exception {
    Child get = get(null, "-o", dir.resolve("x").toString(), https("/a.txt"), https("/b.txt"));

    get.assertExitsWith(2, "wharf get: -o and -C go with one URL; -O names each file");
  }
}
