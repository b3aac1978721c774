package dev.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.testing.CapturedLog;
import dev.wharf.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and certificates as openssl writes them, and the mistakes people make with them. */
class TlsKeyMaterialIT extends TlsFixture {
  @TempDir Path scratch;

  @Test
  void readsEcKeysInPkcs8AndSec1() throws Exception {
    var pkcs8 = TlsIdentity.fromPem(certs.serverCert(), certs.serverKey());
    var sec1 = TlsIdentity.fromPem(certs.serverCert(), certs.serverKeySec1());

    assertThat(Files.readString(certs.serverKeySec1()))
        .startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(pkcs8.privateKey().getAlgorithm()).isEqualTo("EC");
    assertThat(sec1.privateKey().getEncoded()).isEqualTo(pkcs8.privateKey().getEncoded());
    assertThat(pkcs8.names()).containsExactly("localhost");
  }

  @Test
  void readsRsaKeysInPkcs8AndPkcs1() throws Exception {
    var pkcs8 = TlsIdentity.fromPem(certs.rsaCert(), certs.rsaKey());
    var pkcs1 = TlsIdentity.fromPem(certs.rsaCert(), certs.rsaKeyPkcs1());

    assertThat(Files.readString(certs.rsaKeyPkcs1())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(pkcs1.privateKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(pkcs1.privateKey().getEncoded()).isEqualTo(pkcs8.privateKey().getEncoded());
  }

  @Test
  void readsAChainAndItsKeyFromOneFile() throws Exception {
    Path combined = scratch.resolve("combined.pem");
    Files.writeString(
        combined,
        Files.readString(certs.serverKey())
            + "some text openssl leaves between blocks\n"
            + Files.readString(certs.serverCert())
            + Files.readString(certs.caCert()));

    var identity = TlsIdentity.fromPem(combined, combined);

    assertThat(identity.chain()).hasSize(2);
    assertThat(identity.chain().get(1).getSubjectX500Principal().getName())
        .isEqualTo("CN=Wharf Test CA");
  }

  @Test
  void readsPkcs12AndSaysWhenThePasswordIsWrong() throws Exception {
    var identity =
        TlsIdentity.fromPkcs12(certs.serverP12(), TestCertificates.P12_PASSWORD.toCharArray());
    assertThat(identity.certificate().getSubjectX500Principal().getName())
        .isEqualTo("CN=localhost");
    assertThat(identity.chain()).hasSize(2);

    assertThatThrownBy(() -> TlsIdentity.fromPkcs12(certs.serverP12(), "wrong".toCharArray()))
        .isInstanceOf(TlsConfigException.class)
        .hasMessage("wrong password for PKCS#12 file " + certs.serverP12());
    assertThatThrownBy(() -> TlsIdentity.fromPkcs12(certs.serverCert(), "x".toCharArray()))
        .isInstanceOf(TlsConfigException.class)
        .hasMessage(
            certs.serverCert() + " is a PEM file, not PKCS#12 (a binary .p12 or .pfx file)");
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefused() {
    assertThatThrownBy(() -> TlsIdentity.fromPem(certs.serverCert(), certs.otherKey()))
        .isInstanceOf(TlsConfigException.class)
        .hasMessage(
            "the private key does not match the certificate in "
                + certs.serverCert()
                + " and "
                + certs.otherKey());
    assertThatThrownBy(() -> TlsIdentity.fromPem(certs.rsaCert(), certs.serverKey()))
        .hasMessageStartingWith("the private key does not match the certificate");
  }

  @Test
  void aChainInTheWrongOrderIsExplained() throws Exception {
    Path reversed = scratch.resolve("reversed.pem");
    Files.writeString(
        reversed, Files.readString(certs.caCert()) + Files.readString(certs.serverCert()));

    assertThatThrownBy(() -> TlsIdentity.fromPem(reversed, certs.serverKey()))
        .hasMessage(
            "the private key does not match the first certificate in "
                + reversed
                + " and "
                + certs.serverKey()
                + "; put the certificate for this key first, then its issuers");
  }

  @Test
  void missingAndWrongFilesSayWhichAndWhy() throws Exception {
    Path missing = scratch.resolve("missing.pem");
    Path notPem = scratch.resolve("cert.der");
    certs.openssl("x509", "-in", "server.pem", "-outform", "der", "-out", notPem.toString());

    assertThatThrownBy(() -> TlsIdentity.fromPem(missing, certs.serverKey()))
        .isInstanceOf(TlsConfigException.class)
        .hasMessage("certificate file not found: " + missing);
    assertThatThrownBy(() -> TlsIdentity.fromPem(certs.serverCert(), missing))
        .hasMessage("private key file not found: " + missing);
    assertThatThrownBy(() -> TlsIdentity.fromPem(notPem, certs.serverKey()))
        .hasMessageStartingWith(notPem + " is not a PEM file (no -----BEGIN ...----- line)");
    assertThatThrownBy(() -> TlsIdentity.fromPem(certs.serverCert(), certs.serverCert()))
        .hasMessage(
            "no private key in " + certs.serverCert() + " (expected -----BEGIN PRIVATE KEY-----)");
    assertThatThrownBy(() -> TlsIdentity.fromPem(certs.serverKey(), certs.serverKey()))
        .hasMessage(
            "no certificate in " + certs.serverKey() + " (expected -----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(() -> TlsTrust.fromPem(missing))
        .hasMessage("certificate file not found: " + missing);
  }

  @Test
  void anEncryptedKeyIsRefusedWithTheCommandThatDecryptsIt() throws Exception {
    Path encrypted = scratch.resolve("encrypted.key");
    certs.openssl(
        "pkcs8",
        "-topk8",
        "-in",
        "server.key",
        "-out",
        encrypted.toString(),
        "-passout",
        "pass:secret");

    assertThatThrownBy(() -> TlsIdentity.fromPem(certs.serverCert(), encrypted))
        .isInstanceOf(TlsConfigException.class)
        .hasMessage(
            "the private key in "
                + encrypted
                + " is encrypted; write a decrypted copy with: openssl pkcs8 -in "
                + encrypted
                + " -out key.pem");
  }

  @Test
  void pemRoundTrips() throws Exception {
    var identity = TlsIdentity.fromPem(certs.serverCert(), certs.serverKey());
    String text = Pem.encode(identity.privateKey()) + Pem.encode(identity.certificate());

    List<X509Certificate> chain = Pem.parseCertificates(text, "text");
    assertThat(chain).containsExactly(identity.certificate());
    assertThat(Pem.parsePrivateKey(text, "text")).isEqualTo(identity.privateKey());
  }

  @Test
  void pinsReadBase64HexAndCurlsFormAndMatchOpenssl() throws Exception {
    var certificate = Pem.readCertificates(certs.serverCert()).getFirst();
    PublicKeyPin pin = PublicKeyPin.of(certificate);
    // The recipe from curl's documentation, as the javadoc gives it.
    certs.openssl("x509", "-in", "server.pem", "-pubkey", "-noout", "-out", "server.pub");
    certs.openssl(
        "pkey", "-pubin", "-in", "server.pub", "-outform", "der", "-out", "server.pub.der");
    byte[] hash =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(Files.readAllBytes(dir.resolve("server.pub.der")));
    String base64 = java.util.Base64.getEncoder().encodeToString(hash);
    String hex = java.util.HexFormat.of().formatHex(hash);

    assertThat(pin.toString()).isEqualTo("sha256:" + base64);
    assertThat(PublicKeyPin.parse("sha256:" + base64)).isEqualTo(pin);
    assertThat(PublicKeyPin.parse("SHA256:" + hex.toUpperCase(java.util.Locale.ROOT)))
        .isEqualTo(pin);
    assertThat(PublicKeyPin.parse("sha256//" + base64)).isEqualTo(pin);
    assertThat(pin.matchesAny(List.of(certificate))).isTrue();
    assertThatThrownBy(() -> PublicKeyPin.parse("md5:abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a pin is sha256: followed by");
    assertThatThrownBy(() -> PublicKeyPin.parse("sha256:abc"))
        .hasMessage("a SHA-256 pin is 32 bytes (44 base64 or 64 hex characters), not: sha256:abc");
  }

  @Test
  void reloadIfChangedKeepsTheOldCertificateWhenTheNewFilesDoNotFit() throws Exception {
    Path cert = scratch.resolve("cert.pem");
    Path key = scratch.resolve("key.pem");
    Files.copy(certs.serverCert(), cert);
    Files.copy(certs.serverKey(), key);
    var identity = TlsIdentity.fromPem(cert, key);
    assertThat(identity.reloadIfChanged()).isFalse();

    Files.copy(certs.otherCert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(identity::reloadIfChanged)
        .hasMessageStartingWith("the private key does not match the certificate");
    assertThat(identity.names()).containsExactly("localhost");

    Files.copy(certs.otherKey(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (var log = CapturedLog.expect(TlsIdentity.class, Level.INFO)) {
      assertThat(identity.reloadIfChanged()).isTrue();
      assertThat(log.records())
          .singleElement()
          .satisfies(r -> assertThat(r.getMessage()).contains("CN=other.test"));
    }
    assertThat(identity.names()).containsExactly("other.test");
  }
}
