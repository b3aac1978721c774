package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Non-ASCII file names under {@code LC_ALL=C}, the locale of containers, cron and systemd, where
 * Java reads file names as ASCII: {@code wharf serve} lists and serves them as UTF-8 (its own
 * doing), and the {@code ./wharf} launcher starts Java in C.UTF-8, so {@code get -O} saves them.
 */
class ServeUnderCLocaleIT extends EndToEnd {
  private static final String HELLO = "h%C3%A9llo.txt"; // héllo.txt
  private static final String JAPAN = "%E6%97%A5%E6%9C%AC.txt"; // 日本.txt

  /**
   * A file of {@code dir} named by the UTF-8 bytes of a percent-encoded name: a file: URI carries
   * bytes, so this works whatever locale the test itself runs in.
   */
  private static Path named(Path dir, String encoded) {
    return Path.of(URI.create(dir.toUri() + encoded));
  }

  private String serveUnderCLocale() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(named(root, HELLO), "bonjour\n");
    Files.writeString(named(root, JAPAN), "konnichiwa\n");
    return "http://127.0.0.1:" + serveOnLoopback(Map.of("LC_ALL", "C"), root, "--quiet") + "/";
  }

  /** What curl printed, after it exited 0. */
  private String curl(String... args) throws Exception {
    Path out = Files.createTempFile(dir, "curl", ".out");
    var command = new java.util.ArrayList<>(List.of("curl", "-sS"));
    command.addAll(List.of(args));
    Child curl = peer(null, out, command.toArray(String[]::new));
    assertThat(curl.awaitExit()).as("curl exit; stderr %s", curl.errLines()).isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  @Test
  void serveListsAndServesUtf8NamesWhateverTheLocale() throws Exception {
    String base = serveUnderCLocale();

    assertThat(curl("-f", base + HELLO)).isEqualTo("bonjour\n");
    assertThat(curl("-f", base + JAPAN)).isEqualTo("konnichiwa\n");
    assertThat(curl("-H", "Accept: application/json", base))
        .contains("\"name\":\"héllo.txt\"")
        .contains("\"name\":\"日本.txt\"")
        .doesNotContain("\uFFFD");
    assertThat(curl(base)).contains("href=\"" + HELLO + "\"").contains(">héllo.txt<");
  }

  @Test
  void theLauncherSavesAUtf8NameUnderTheCLocale() throws Exception {
    String base = serveUnderCLocale();
    Path launcher = Path.of("").toAbsolutePath().getParent().resolve("wharf");
    assertThat(launcher).isExecutable();
    Path into = Files.createDirectory(dir.resolve("into"));
    var get =
        ExternalProcess.command(launcher.toString(), "get", "-s", "-O", base + HELLO)
            .in(into)
            .environment("LC_ALL", "C")
            .environment("WHARF_AOT", "0") // No startup cache to train: a quicker test.
            .run(Duration.ofSeconds(45));
    assertThat(get.exit()).as("exit; stderr: %s", get.err()).isZero();
    assertThat(named(into, HELLO)).hasContent("bonjour\n");
  }
}
