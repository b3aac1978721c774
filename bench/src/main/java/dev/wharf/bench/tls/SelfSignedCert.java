package dev.wharf.bench.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's server certificate: a self-signed ECDSA P-256 certificate for 127.0.0.1 and
 * localhost, made by {@code openssl} (the Debian package) in a directory of the caller's, as PEM
 * files both servers read (Wharf's {@code TlsIdentity.fromPem}, Netty's {@code
 * SslContextBuilder.forServer}) and the generator trusts.
 */
public record SelfSignedCert(Path cert, Path key) {

  /** The openssl command that makes the pair; logged in the result file. */
  static List<String> command(Path cert, Path key) {
    return List.of(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-sha256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        key.toString(),
        "-out",
        cert.toString());
  }

  /** Makes {@code cert.pem} and {@code key.pem} (PKCS#8) in {@code dir}. */
  public static SelfSignedCert create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process p = new ProcessBuilder(command(cert, key)).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("openssl could not make a certificate: " + output.strip());
    }
    return new SelfSignedCert(cert, key);
  }
}
