package dev.wharf.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates for TLS tests, made by the {@code openssl} command in a directory the test owns: a
 * CA, and signed by it a server certificate for localhost and 127.0.0.1, one for {@code other.test}
 * (for SNI, and as the wrong host), an expired one, a client certificate; besides them a
 * self-signed certificate no one trusts, and the same keys in the other formats Wharf reads.
 *
 * <p>EC P-256 keys, which openssl makes in milliseconds; one RSA key for the RSA paths.
 */
public record TestCertificates(Path dir) {
  private static final String LOCALHOST = "subjectAltName=DNS:localhost,IP:127.0.0.1";

  /** Makes everything in {@code dir}; about a second. */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    var certs = new TestCertificates(dir);
    certs.make();
    return certs;
  }

  /**
   * Makes only the self-signed pair ({@link #selfSignedCert()}, {@link #selfSignedKey()}) in {@code
   * dir}, in milliseconds; the other files are not made. For a server no client needs a CA for,
   * such as the TLS benchmark's (which is why the bench module takes this class at compile scope).
   */
  public static TestCertificates createSelfSigned(Path dir) throws IOException {
    var certs = new TestCertificates(dir);
    Files.createDirectories(dir);
    certs.selfSigned("self", "/CN=localhost", LOCALHOST);
    return certs;
  }

  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  /** For localhost and 127.0.0.1, signed by the CA; its key is {@link #serverKey()}. */
  public Path serverCert() {
    return dir.resolve("server.pem");
  }

  /** PKCS#8 EC. */
  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** The server key in the traditional SEC1 form ({@code BEGIN EC PRIVATE KEY}). */
  public Path serverKeySec1() {
    return dir.resolve("server-sec1.key");
  }

  /** The server's certificate and key, with the CA, in PKCS#12 under {@link #P12_PASSWORD}. */
  public Path serverP12() {
    return dir.resolve("server.p12");
  }

  public static final String P12_PASSWORD = "secret";

  /** For other.test only (not localhost), signed by the CA. */
  public Path otherCert() {
    return dir.resolve("other.pem");
  }

  public Path otherKey() {
    return dir.resolve("other.key");
  }

  /** localhost, signed by the CA, valid only on 1 and 2 January 2020; key {@link #serverKey()}. */
  public Path expiredCert() {
    return dir.resolve("expired.pem");
  }

  /** localhost and 127.0.0.1, self-signed (EC P-256, ECDSA with SHA-256). */
  public Path selfSignedCert() {
    return dir.resolve("self.pem");
  }

  public Path selfSignedKey() {
    return dir.resolve("self.key");
  }

  /** A client certificate (CN=wharf client) signed by the CA. */
  public Path clientCert() {
    return dir.resolve("client.pem");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  /** An RSA-2048 certificate for localhost signed by the CA. */
  public Path rsaCert() {
    return dir.resolve("rsa.pem");
  }

  /** Its key, traditional PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
  public Path rsaKeyPkcs1() {
    return dir.resolve("rsa-pkcs1.key");
  }

  /** Its key, PKCS#8. */
  public Path rsaKey() {
    return dir.resolve("rsa.key");
  }

  private void make() throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("localhost.ext"), LOCALHOST + "\n");
    Files.writeString(dir.resolve("other.ext"), "subjectAltName=DNS:other.test\n");
    Files.writeString(
        dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:client\n");
    selfSigned(
        "ca",
        "/CN=Wharf Test CA",
        "basicConstraints=critical,CA:TRUE",
        "keyUsage=critical,keyCertSign,cRLSign");
    signed("server", "/CN=localhost", "localhost.ext", "ec");
    signed("other", "/CN=other.test", "other.ext", "ec");
    signed("client", "/CN=wharf client", "client.ext", "ec");
    signed("rsa", "/CN=localhost", "localhost.ext", "rsa");
    openssl("pkey", "-in", "server.key", "-out", "server-sec1.key", "-traditional");
    openssl("pkey", "-in", "rsa.key", "-out", "rsa-pkcs1.key", "-traditional");
    openssl(
        "pkcs12",
        "-export",
        "-in",
        "server.pem",
        "-inkey",
        "server.key",
        "-certfile",
        "ca.pem",
        "-out",
        "server.p12",
        "-passout",
        "pass:" + P12_PASSWORD);
    selfSigned("self", "/CN=localhost", LOCALHOST);
    // openssl x509 cannot set a start date; openssl ca can, with a database of its own.
    Files.createDirectories(dir.resolve("cadb"));
    Files.writeString(dir.resolve("cadb/index.txt"), "");
    Files.writeString(dir.resolve("cadb/serial"), "1000\n");
    Files.writeString(
        dir.resolve("ca.cnf"),
        """
        [ca]
        default_ca = test
        [test]
        database = cadb/index.txt
        new_certs_dir = cadb
        serial = cadb/serial
        default_md = sha256
        policy = any
        unique_subject = no
        [any]
        commonName = supplied
        """);
    openssl(
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-cert",
        "ca.pem",
        "-keyfile",
        "ca.key",
        "-in",
        "server.csr",
        "-out",
        "expired.pem",
        "-notext",
        "-startdate",
        "20200101000000Z",
        "-enddate",
        "20200102000000Z",
        "-extfile",
        "localhost.ext");
  }

  /** An EC P-256 key and a certificate it signs itself, with these extensions. */
  private void selfSigned(String name, String subject, String... extensions) throws IOException {
    var command =
        new ArrayList<>(
            List.of(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".pem",
                "-days",
                "30",
                "-subj",
                subject));
    for (String extension : extensions) {
      command.addAll(List.of("-addext", extension));
    }
    openssl(command.toArray(String[]::new));
  }

  /** A key, a request and a certificate signed by the CA. */
  private void signed(String name, String subject, String extensions, String keyType)
      throws IOException, InterruptedException {
    var request = new ArrayList<>(List.of("req", "-new", "-nodes", "-subj", subject));
    if (keyType.equals("rsa")) {
      request.addAll(List.of("-newkey", "rsa:2048"));
    } else {
      request.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
    }
    request.addAll(List.of("-keyout", name + ".key", "-out", name + ".csr"));
    openssl(request.toArray(String[]::new));
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        extensions,
        "-out",
        name + ".pem");
  }

  /** Runs openssl in the directory; fails with its output if it fails. */
  public void openssl(String... arguments) throws IOException {
    var command = new ArrayList<String>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    ExternalProcess.Result result = ExternalProcess.run(Duration.ofSeconds(30), dir, command);
    if (result.exit() != 0) {
      throw new IOException("openssl failed: " + command + "\n" + result.out() + result.err());
    }
  }
}
