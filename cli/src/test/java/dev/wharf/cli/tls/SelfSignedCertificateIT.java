package dev.wharf.cli.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.testkit.ExternalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate serve --tls makes, checked by openssl rather than by our own code. */
class SelfSignedCertificateIT {
  @TempDir Path dir;

  private static String openssl(String... args) throws Exception {
    var command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    var openssl = ExternalProcess.command(command).mergeErrors().run(Duration.ofSeconds(30));
    assertThat(openssl.exit()).as(openssl.out()).isZero();
    return openssl.out();
  }

  @Test
  void madeOnceForLocalNamesAndKeptPrivately() throws Exception {
    var names = List.of("localhost", "127.0.0.1", "::1", "box.example");
    var made = SelfSignedCertificate.loadOrCreate(dir, names);
    assertThat(made.created()).isTrue();

    String text = openssl("x509", "-in", made.certificate().toString(), "-noout", "-text");
    assertThat(text)
        .contains("DNS:localhost")
        .contains("IP Address:127.0.0.1")
        .contains("IP Address:0:0:0:0:0:0:0:1")
        .contains("DNS:box.example")
        .contains("TLS Web Server Authentication")
        .contains("CA:FALSE")
        .contains("prime256v1");
    String fingerprint =
        openssl("x509", "-in", made.certificate().toString(), "-noout", "-fingerprint", "-sha256");
    assertThat(fingerprint.trim()).endsWith("=" + made.sha256());
    // The key is PKCS#8 PEM, it matches the certificate, and only its owner may read it.
    String keyCheck = openssl("pkey", "-in", made.privateKey().toString(), "-pubout");
    String certKey = openssl("x509", "-in", made.certificate().toString(), "-noout", "-pubkey");
    assertThat(keyCheck).isEqualTo(certKey);
    assertThat(Files.readString(made.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made.privateKey())))
        .isEqualTo("rw-------");

    var again = SelfSignedCertificate.loadOrCreate(dir, names);
    assertThat(again.created()).isFalse();
    assertThat(again.sha256()).isEqualTo(made.sha256());

    var renamed = SelfSignedCertificate.loadOrCreate(dir, List.of("localhost", "other.example"));
    assertThat(renamed.created()).isTrue();
    assertThat(renamed.sha256()).isNotEqualTo(made.sha256());
  }

  @Test
  void commandsStartedAtOnceShareOneCertificate() throws Exception {
    var command = new ArrayList<>(Child.javaCommand(MakeSelfSigned.class));
    command.add(dir.toString());
    var processes = new ArrayList<ExternalProcess>();
    try {
      for (int i = 0; i < 3; i++) {
        processes.add(ExternalProcess.command(command).mergeErrors().start());
      }
      var lines = new ArrayList<String>();
      for (ExternalProcess p : processes) {
        int exit = p.awaitExit(Duration.ofSeconds(60));
        String out = p.output().trim();
        assertThat(exit).as(out).isZero();
        lines.add(out);
      }
      assertThat(lines).filteredOn(l -> l.startsWith("created ")).hasSize(1);
      String fingerprint = lines.getFirst().substring(lines.getFirst().indexOf(' ') + 1);
      assertThat(lines).allSatisfy(l -> assertThat(l).endsWith(" " + fingerprint));
      // And the pair on disk is the one they all reported: openssl matches key and certificate.
      String certKey =
          openssl("x509", "-in", dir.resolve("self-signed.crt").toString(), "-noout", "-pubkey");
      String keyKey = openssl("pkey", "-in", dir.resolve("self-signed.key").toString(), "-pubout");
      assertThat(certKey).isEqualTo(keyKey);
    } finally {
      processes.forEach(ExternalProcess::close);
    }
  }

  @Test
  void opensslVerifiesItForLocalhostWhenToldToTrustIt() throws Exception {
    var made = SelfSignedCertificate.loadOrCreate(dir, SelfSignedCertificate.localNames(List.of()));
    String out =
        openssl(
            "verify",
            "-CAfile",
            made.certificate().toString(),
            "-verify_hostname",
            "localhost",
            made.certificate().toString());
    assertThat(out).contains(": OK");
  }
}
