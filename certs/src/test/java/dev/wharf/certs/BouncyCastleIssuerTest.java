package dev.wharf.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** The certificates the issuer makes, read back by the JDK's own X.509 parser. */
class BouncyCastleIssuerTest {
  private final BouncyCastleIssuer issuer = new BouncyCastleIssuer();
  private final Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final Instant notAfter = notBefore.plus(Duration.ofDays(365));

  private static KeyPair ecKeys() throws GeneralSecurityException {
    var generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  @Test
  void aServerCertificateForEveryNameSignedByItsOwnKey() throws Exception {
    KeyPair keys = ecKeys();
    X509Certificate made =
        issuer.selfSigned(
            keys,
            List.of("localhost", "127.0.0.1", "::1", "box.example"),
            "test",
            notBefore,
            notAfter);

    made.verify(keys.getPublic()); // self-signed: its own key checks its signature
    assertThat(made.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(made.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(made.getSubjectX500Principal()).isEqualTo(made.getIssuerX500Principal());
    assertThat(made.getSubjectX500Principal().getName(X500Principal.RFC2253))
        .isEqualTo("O=test,CN=localhost");
    assertThat(made.getNotBefore().toInstant()).isEqualTo(notBefore);
    assertThat(made.getNotAfter().toInstant()).isEqualTo(notAfter);
    // [type, value]: 2 is a DNS name, 7 an IP address (as the JDK prints it).
    assertThat(made.getSubjectAlternativeNames())
        .containsExactly(
            List.of(2, "localhost"),
            List.of(7, "127.0.0.1"),
            List.of(7, "0:0:0:0:0:0:0:1"),
            List.of(2, "box.example"));
    assertThat(made.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(made.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(made.getKeyUsage()).as("nothing else").containsOnlyOnce(true);
    assertThat(made.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(made.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
    assertThat(made.getSerialNumber().signum()).isPositive();
  }

  @Test
  void aNameWithACommaStaysOneAttribute() throws Exception {
    X509Certificate made =
        issuer.selfSigned(ecKeys(), List.of("localhost"), "Acme, Inc.+x", notBefore, notAfter);

    assertThat(made.getSubjectX500Principal().getName(X500Principal.RFC2253))
        .isEqualTo("O=Acme\\, Inc.\\+x,CN=localhost");
  }

  @Test
  void rsaKeysSignWithRsa() throws Exception {
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();

    X509Certificate made = issuer.selfSigned(keys, List.of("a.example"), "t", notBefore, notAfter);

    made.verify(keys.getPublic());
    assertThat(made.getSigAlgName()).isEqualTo("SHA256withRSA");
  }

  @Test
  void eachCertificateHasItsOwnSerialNumber() throws Exception {
    KeyPair keys = ecKeys();
    var first = issuer.selfSigned(keys, List.of("a.example"), "t", notBefore, notAfter);
    var second = issuer.selfSigned(keys, List.of("a.example"), "t", notBefore, notAfter);

    assertThat(first.getSerialNumber()).isNotEqualTo(second.getSerialNumber());
  }

  @Test
  void aKeyItCannotSignWithAndNoNamesAreRefused() throws Exception {
    KeyPair dsa = KeyPairGenerator.getInstance("DSA").generateKeyPair();
    assertThatThrownBy(() -> issuer.selfSigned(dsa, List.of("a.example"), "t", notBefore, notAfter))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("cannot sign a certificate with a DSA key");
    assertThatThrownBy(() -> issuer.selfSigned(ecKeys(), List.of(), "t", notBefore, notAfter))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
