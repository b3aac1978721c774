package dev.wharf.cli.tls;

import dev.wharf.cli.Endpoints;
import dev.wharf.core.tls.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The certificate {@code wharf serve --tls} uses when given none: self-signed, for localhost, the
 * loopback addresses and this host's names, made once and kept (key readable by its owner only) so
 * that a browser exception or a {@code --cacert} stays valid across runs. Made anew when it is
 * close to expiry or no longer covers the names asked for.
 *
 * <p>An EC P-256 key: the cheapest handshakes every client supports. Signed by the {@link
 * dev.wharf.core.tls.CertificateIssuer} that {@link CertificateIssuers} finds.
 */
final class SelfSignedCertificate {
  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /** Where a kept certificate lives, and what it is. */
  record Kept(Path certificate, Path privateKey, String sha256, boolean created) {}

  private SelfSignedCertificate() {}

  /** {@code $XDG_DATA_HOME/wharf/tls}, or {@code ~/.local/share/wharf/tls}. */
  static Path defaultDirectory() {
    String data = System.getenv("XDG_DATA_HOME");
    Path base =
        data != null && !data.isBlank()
            ? Path.of(data)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    return base.resolve("wharf").resolve("tls");
  }

  /** The names a local server is reached by: localhost, loopback, this host, {@code extra}. */
  static List<String> localNames(Collection<String> extra) {
    var names = new LinkedHashSet<String>(List.of("localhost", "127.0.0.1", "::1"));
    try {
      names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
    } catch (IOException unknownHost) {
      // A host without a resolvable name still has localhost.
    }
    names.addAll(extra);
    return List.copyOf(names);
  }

  /**
   * Loads the kept certificate in {@code directory}, or makes one for {@code names}. Two commands
   * started at once (two {@code serve --tls}) take turns on a lock file, so the second loads what
   * the first made instead of replacing its key while the first's certificate is being moved.
   */
  @SuppressWarnings("try") // The lock is held for the block's length, never used by name.
  static Kept loadOrCreate(Path directory, List<String> names)
      throws IOException, GeneralSecurityException {
    Files.createDirectories(directory);
    synchronized (SelfSignedCertificate.class) { // A file lock is held per process, not thread.
      try (FileChannel lockFile =
              FileChannel.open(
                  directory.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        return loadOrCreateLocked(directory, names);
      }
    }
  }

  private static Kept loadOrCreateLocked(Path directory, List<String> names)
      throws IOException, GeneralSecurityException {
    Path certificate = directory.resolve("self-signed.crt");
    Path key = directory.resolve("self-signed.key");
    if (Files.isRegularFile(certificate) && Files.isRegularFile(key)) {
      X509Certificate existing = read(certificate);
      if (stillGood(existing, names)) {
        return new Kept(certificate, key, fingerprint(existing), false);
      }
    }
    KeyPair pair = newKeyPair();
    X509Certificate made = build(pair, names);
    // Write both beside their targets first, so a reader never sees a key and a certificate that
    // do not match.
    Path keyTemp = Files.createTempFile(directory, ".key", ".tmp"); // 0600 already.
    Path certTemp = Files.createTempFile(directory, ".crt", ".tmp");
    try {
      Files.writeString(keyTemp, Pem.encode(pair.getPrivate()));
      Files.writeString(certTemp, Pem.encode(made));
      try {
        Files.setPosixFilePermissions(certTemp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException notPosix) {
        // Readable by default elsewhere.
      }
      Files.move(keyTemp, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(
          certTemp,
          certificate,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(keyTemp);
      Files.deleteIfExists(certTemp);
    }
    return new Kept(certificate, key, fingerprint(made), true);
  }

  /** {@code AB:CD:...}: the SHA-256 of the certificate, as browsers and openssl show it. */
  static String fingerprint(X509Certificate certificate) throws GeneralSecurityException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
  }

  private static boolean stillGood(X509Certificate certificate, List<String> names)
      throws GeneralSecurityException {
    if (certificate.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
      return false;
    }
    Set<String> covered = new LinkedHashSet<>();
    Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
    if (alternatives != null) {
      for (List<?> entry : alternatives) {
        covered.add(String.valueOf(entry.get(1)).toLowerCase(Locale.ROOT));
      }
    }
    for (String name : names) {
      if (!covered.contains(canonical(name))) {
        return false;
      }
    }
    return true;
  }

  /** IP addresses as the JDK prints SAN entries ({@code 0:0:0:0:0:0:0:1} for ::1). */
  private static String canonical(String name) {
    if (Endpoints.isLiteral(name)) {
      try {
        return InetAddress.getByName(name).getHostAddress().toLowerCase(Locale.ROOT);
      } catch (IOException e) {
        return name;
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate build(KeyPair pair, List<String> names)
      throws GeneralSecurityException {
    Instant now = Instant.now();
    return CertificateIssuers.find()
        .selfSigned(
            pair,
            names,
            "wharf self-signed",
            now.minus(Duration.ofHours(1)), // Tolerate a peer's clock running behind.
            now.plus(VALIDITY));
  }

  private static X509Certificate read(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
