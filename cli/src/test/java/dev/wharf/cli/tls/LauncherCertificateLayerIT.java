package dev.wharf.cli.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * BouncyCastle stays off {@code ./wharf}'s module path (issue 16: its signed jars were opened at
 * every start) and is loaded, from {@code cli/target/lib-tls} in a module layer of its own, only
 * when {@code serve --tls} makes its self-signed certificate, which curl then trusts. Run through
 * the launcher itself, as users start it; the open files of the process show which jars it read.
 */
@Timeout(240)
class LauncherCertificateLayerIT {
  private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("wharf");

  /** A first start may build or train the cache; on a loaded machine that takes its time. */
  private static final Duration START = Duration.ofSeconds(120);

  private static final Pattern URL =
      Pattern.compile("Serving .* on (https?://127\\.0\\.0\\.1:\\d+/)");

  @TempDir Path root;
  @TempDir Path data;

  @Test
  void aPlainServerNeitherHasNorOpensBouncyCastle() throws Exception {
    Files.writeString(root.resolve("index.html"), "plain\n");
    try (var serve = serve()) {
      String url = servingUrl(serve);
      assertThat(curl(url)).isEqualTo("plain\n");

      assertThat(modulePath(serve.pid()))
          .isNotEmpty()
          .noneMatch(jar -> jar.contains("bcprov") || jar.contains("bcpkix"))
          .noneMatch(jar -> jar.contains("wharf-certs"));
      assertThat(openFiles(serve.pid()))
          .as("the jars it has open")
          .anyMatch(file -> file.endsWith("/lib/wharf-http.jar"))
          .noneMatch(file -> file.contains("/lib-tls/"));
    }
    assertThat(data).isEmptyDirectory();
  }

  @Test
  void aSelfSignedCertificateIsMadeWithBouncyCastleFromItsOwnFolder() throws Exception {
    Files.writeString(root.resolve("index.html"), "secret\n");
    try (var serve = serve("--tls")) {
      String url = servingUrl(serve);
      assertThat(url).startsWith("https://");
      Path certificate = data.resolve("wharf/tls/self-signed.crt");
      assertThat(serve.output())
          .contains("Made a self-signed TLS certificate", certificate.toString());

      assertThat(curl("--cacert", certificate.toString(), url.replace("127.0.0.1", "localhost")))
          .isEqualTo("secret\n");
      assertThat(openFiles(serve.pid()))
          .anyMatch(file -> file.endsWith("/lib-tls/wharf-certs.jar"))
          .anyMatch(file -> file.endsWith("/lib-tls/bcpkix-jdk18on.jar"));
    }
  }

  private ExternalProcess serve(String... options) throws IOException {
    var command =
        new ArrayList<>(List.of(LAUNCHER.toString(), "serve", "-b", "127.0.0.1", "-p", "0"));
    command.addAll(List.of(options));
    command.add(root.toString());
    return ExternalProcess.command(command).environment("XDG_DATA_HOME", data.toString()).start();
  }

  private static String servingUrl(ExternalProcess serve) {
    String out = serve.awaitOutput("Serving", START, text -> URL.matcher(text).find());
    Matcher url = URL.matcher(out);
    assertThat(url.find()).as(out).isTrue();
    return url.group(1);
  }

  /** curl, a client of nobody here, with its usual quiet habits. */
  private static String curl(String... args) throws IOException {
    var command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
    command.addAll(List.of(args));
    var curl = ExternalProcess.run(Duration.ofSeconds(30), command);
    assertThat(curl.exit()).as(curl.err()).isZero();
    return curl.out();
  }

  /** The jars of the module path the launcher gave java (-p). */
  private static List<String> modulePath(long pid) throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
    List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    int p = args.indexOf("-p");
    assertThat(p).as("java's arguments: %s", args).isNotNegative();
    var jars = new ArrayList<String>();
    for (String entry : args.get(p + 1).split(":")) {
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          files.map(Path::toString).forEach(jars::add);
        }
      } else {
        jars.add(entry);
      }
    }
    return jars;
  }

  /** What the process's descriptors point at. */
  private static List<String> openFiles(long pid) throws IOException {
    var files = new ArrayList<String>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          files.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException closedMeanwhile) {
          // a descriptor closed between the listing and the read
        }
      }
    }
    return files;
  }
}
