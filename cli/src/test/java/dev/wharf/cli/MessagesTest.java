package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures that name the file or option at fault and say why in the user's words, not Java's; each
 * fails before a socket is opened.
 */
@Timeout(30)
class MessagesTest {
  @TempDir Path dir;

  static MainTest.Run run(String... args) {
    return MainTest.run(args);
  }

  @Test
  void aPemFileGivenAsPkcs12IsCalledPem() throws Exception {
    Path pem = Files.writeString(dir.resolve("c1.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
    assertThat(run("serve", dir.toString(), "--tls", "--pkcs12", pem.toString()))
        .isEqualTo(
            new MainTest.Run(
                1,
                List.of(
                    "wharf serve: --pkcs12: "
                        + pem
                        + " is a PEM file, not PKCS#12 (a binary .p12 or .pfx file)"),
                ""));
  }

  @Test
  void aMissingKeyIsBlamedOnKey() throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
    Path key = dir.resolve("missing.pem");
    assertThat(run("serve", dir.toString(), "--tls", "--cert", cert.toString(), "--key", "" + key))
        .isEqualTo(new MainTest.Run(1, List.of("wharf serve: --key: file not found: " + key), ""));
  }

  @Test
  void aUnixSocketInAMissingDirectoryNamesTheDirectory() {
    Path missing = dir.resolve("missing");
    assertThat(run("listen", "--unix", missing.resolve("x.sock").toString()))
        .isEqualTo(
            new MainTest.Run(
                1,
                List.of(
                    "wharf listen: cannot listen on "
                        + missing.resolve("x.sock")
                        + ": no such directory: "
                        + missing),
                ""));
  }

  @Test
  void filesThatCannotBeOpenedAreNamedWithTheReason() {
    Path missing = dir.resolve("missing.txt");
    assertThat(run("get", "-d", "@" + missing, "http://127.0.0.1:1/"))
        .isEqualTo(
            new MainTest.Run(26, List.of("wharf get: no such file or directory: " + missing), ""));
    Path nowhere = dir.resolve("no/dir/x");
    assertThat(run("get", "-o", nowhere.toString(), "http://127.0.0.1:1/"))
        .isEqualTo(
            new MainTest.Run(23, List.of("wharf get: no such file or directory: " + nowhere), ""));
  }
}
