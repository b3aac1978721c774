package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.TlsEndToEnd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf get https://} against {@code openssl s_server -www}: trust, pins, the certificates
 * it must refuse with curl's exit codes and one clear line.
 */
class GetTlsIT extends TlsEndToEnd {

  /** s_server -www with a certificate; returns its port. */
  private int statusPage(Path cert, Path key, String... extra) throws Exception {
    var args = new ArrayList<>(List.of("-www"));
    args.addAll(List.of(extra));
    return listeningPort(sServer(null, cert, key, args.toArray(String[]::new)));
  }

  private int statusPage() throws Exception {
    return statusPage(certs.serverCert(), certs.serverKey());
  }

  /** The public key pin of a certificate, as openssl computes it. */
  private static String pinOf(Path certificate) throws Exception {
    return "sha256:"
        + run(
                "sh",
                "-c",
                "openssl x509 -in '"
                    + certificate
                    + "' -pubkey -noout | openssl pkey -pubin -outform der"
                    + " | openssl dgst -sha256 -binary | base64")
            .strip();
  }

  private Child get(Path body, String... args) throws Exception {
    var all = new ArrayList<>(List.of("get"));
    all.addAll(List.of(args));
    return wharf(null, body, all.toArray(String[]::new));
  }

  /**
   * Checks that {@code get --cacert} (the test CA) of a status page showing this certificate exits
   * 60 (curl's) with one line: the handshake with 127.0.0.1 failed, and {@code why}.
   */
  private void assertTheCaRejects(Path certificate, Path key, String why) throws Exception {
    int port = statusPage(certificate, key);

    Child get = get(null, "--cacert", certs.caCert().toString(), url("127.0.0.1", port));

    get.assertExitsWith(60, "wharf get: TLS handshake with 127.0.0.1:" + port + " failed: " + why);
  }

  @Test
  void cacertTrustsTheServerAndVerboseTellsTheHandshake() throws Exception {
    int port = statusPage();
    Path page = dir.resolve("page");

    Child get = get(page, "-v", "--cacert", certs.caCert().toString(), url("localhost", port));

    assertThat(get.awaitExit()).as("stderr: %s", get.errLines()).isZero();
    assertThat(Files.readString(page, StandardCharsets.ISO_8859_1))
        .contains("Ciphers supported in s_server binary")
        .contains("TLSv1.3");
    assertThat(get.errLines())
        .anyMatch(
            line ->
                line.matches(
                    "\\* TLSv1\\.3 TLS_AES_\\w+, ALPN none, SNI localhost, certificate CN=localhost"
                        + " \\(issuer CN=Wharf Test CA, expires \\d{4}-\\d\\d-\\d\\d\\), handshake"
                        + " [\\d.]+ ms"));
  }

  private static String url(String host, int port) {
    return "https://" + host + ":" + port + "/";
  }

  @Test
  void insecureAcceptsAnUntrustedCertificateWithOneWarningLine() throws Exception {
    int port = statusPage(certs.selfSignedCert(), certs.selfSignedKey());
    Path page = dir.resolve("page");

    Child get = get(page, "-k", url("127.0.0.1", port));

    assertThat(get.awaitExit()).isZero();
    assertThat(Files.readString(page, StandardCharsets.ISO_8859_1))
        .contains("Ciphers supported in s_server binary");
    assertThat(get.errLines())
        .containsExactly(
            "wharf get: warning: --insecure: the server's certificate is not checked; anyone in"
                + " between can read and change the traffic");
  }

  @Test
  void theRightPinIsAccepted() throws Exception {
    int port = statusPage();

    Child get =
        get(
            dir.resolve("page"),
            "--cacert",
            certs.caCert().toString(),
            "--pin",
            pinOf(certs.otherCert()),
            "--pin",
            pinOf(certs.serverCert()),
            url("127.0.0.1", port));

    assertThat(get.awaitExit()).as("stderr: %s", get.errLines()).isZero();
    assertThat(get.errLines()).isEmpty();
  }

  @Test
  void aWrongPinExitsNinety() throws Exception {
    int port = statusPage();
    String wrong = pinOf(certs.otherCert());

    Child get =
        get(null, "--cacert", certs.caCert().toString(), "--pin", wrong, url("127.0.0.1", port));

    get.assertExitsWith(
        90,
        "wharf get: TLS handshake with 127.0.0.1:"
            + port
            + " failed: the server's public key is not pinned: it is "
            + pinOf(certs.serverCert())
            + ", expected "
            + wrong);
  }

  @Test
  void anExpiredCertificateExitsSixtyAndSaysWhen() throws Exception {
    assertTheCaRejects(
        certs.expiredCert(),
        certs.serverKey(),
        "the server's certificate expired on 2020-01-02T00:00:00Z (CN=localhost)");
  }

  @Test
  void aCertificateForAnotherHostExitsSixtyAndNamesBoth() throws Exception {
    assertTheCaRejects(
        certs.otherCert(),
        certs.otherKey(),
        "the server's certificate is not for 127.0.0.1 but for other.test");
  }

  @Test
  void servernameChecksAnotherName() throws Exception {
    int port = statusPage(certs.otherCert(), certs.otherKey());

    Child get =
        get(
            dir.resolve("page"),
            "--cacert",
            certs.caCert().toString(),
            "--servername",
            "other.test",
            url("127.0.0.1", port));

    assertThat(get.awaitExit()).as("stderr: %s", get.errLines()).isZero();
  }

  @Test
  void anUntrustedCertificateExitsSixtyWithAdvice() throws Exception {
    int port = statusPage(certs.selfSignedCert(), certs.selfSignedKey());

    Child get = get(null, url("127.0.0.1", port));

    get.assertExitsWith(
        60,
        "wharf get: TLS handshake with 127.0.0.1:"
            + port
            + " failed: the server's certificate is self-signed and not trusted"
            + " (CN=localhost); trust it with --cacert FILE (its CA, or itself if"
            + " self-signed)");
  }

  @Test
  void noCipherSuiteInCommonExitsThirtyFive() throws Exception {
    // TLS 1.2 with CBC only, which wharf does not offer.
    int port =
        statusPage(
            certs.serverCert(),
            certs.serverKey(),
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-AES128-SHA256");

    Child get = get(null, "--cacert", certs.caCert().toString(), url("127.0.0.1", port));

    assertThat(get.awaitExit()).isEqualTo(35);
    assertThat(get.errLines()).hasSize(1);
    assertThat(get.errLines().getFirst())
        .startsWith("wharf get: TLS handshake with 127.0.0.1:" + port + " failed: ");
  }

  @Test
  void aMissingCaFileExitsSeventySeven() throws Exception {
    Path missing = dir.resolve("missing.pem");

    Child get = get(null, "--cacert", missing.toString(), "https://127.0.0.1:1/");

    assertThat(get.awaitExit()).isEqualTo(77);
    assertThat(get.errLines()).hasSize(1);
    assertThat(get.errLines().getFirst())
        .startsWith("wharf get: --cacert: ")
        .contains(missing.toString());
  }
}
