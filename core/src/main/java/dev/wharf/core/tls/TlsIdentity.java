package dev.wharf.core.tls;

import dev.wharf.core.LazyLogger;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate chain and its private key: what a server shows (or a client, for mTLS). Loaded from
 * PEM files or a PKCS#12 file, and re-read when those files change, so a renewed certificate is
 * used by new handshakes while open connections carry on with the old one.
 *
 * <p>Changes are noticed on handshakes, at most once every {@link #RELOAD_CHECK_INTERVAL}: the
 * check costs one {@code stat} per file on the event loop; the files are then read and parsed on a
 * virtual thread. A new set of files that cannot be used (half written, a key that does not match
 * its certificate) is logged and the old certificate kept; it is tried again when the files change
 * again.
 *
 * <p>Thread-safe.
 */
public final class TlsIdentity {
  private static final System.Logger LOG = LazyLogger.of(TlsIdentity.class);

  /** How often handshakes look at the files' modification times. */
  public static final Duration RELOAD_CHECK_INTERVAL = Duration.ofSeconds(2);

  /** One loaded version of the identity; aliases name it so key and chain always match. */
  record Snapshot(
      long generation, List<X509Certificate> chain, PrivateKey key, List<String> names) {
    X509Certificate leaf() {
      return chain.getFirst();
    }
  }

  /** Reads the files once more. */
  private interface Loader {
    Snapshot load(long generation) throws TlsConfigException;
  }

  /** What the files looked like when last loaded or tried. */
  private record Stamp(List<Object> attributes) {}

  private final String description;
  private final List<Path> files;
  private final Loader loader;
  private final AtomicLong lastCheck = new AtomicLong(System.nanoTime());
  private final AtomicBoolean reloading = new AtomicBoolean();
  private volatile Snapshot current;
  private volatile Snapshot previous;
  private volatile Stamp loadedStamp;
  private volatile Stamp failedStamp;

  private TlsIdentity(String description, List<Path> files, Loader loader)
      throws TlsConfigException {
    this.description = description;
    this.files = files;
    this.loader = loader;
    // Stamped before and after loading: a file that changed meanwhile is read again on the next
    // check (a null stamp matches nothing).
    Stamp before = stampOrNull();
    this.current = loader.load(1);
    Stamp after = stampOrNull();
    this.loadedStamp = Objects.equals(before, after) ? after : null;
  }

  /**
   * From PEM files: the certificate chain (leaf first, then intermediates) and the private key
   * (PKCS#8, or traditional RSA or EC). Both may be the same file.
   */
  public static TlsIdentity fromPem(Path certificateChain, Path privateKey)
      throws TlsConfigException {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    List<Path> files =
        certificateChain.equals(privateKey)
            ? List.of(certificateChain)
            : List.of(certificateChain, privateKey);
    return new TlsIdentity(
        certificateChain.toString(),
        files,
        generation ->
            snapshot(
                generation,
                Pem.readCertificates(certificateChain),
                Pem.readPrivateKey(privateKey),
                certificateChain + " and " + privateKey));
  }

  /** From one PKCS#12 file ({@code .p12}, {@code .pfx}): its first key entry and chain. */
  public static TlsIdentity fromPkcs12(Path file, char[] password) throws TlsConfigException {
    Objects.requireNonNull(file, "file");
    char[] secret = password == null ? new char[0] : password.clone();
    return new TlsIdentity(
        file.toString(), List.of(file), generation -> loadPkcs12(generation, file, secret));
  }

  /** A fixed chain and key (generated in memory, say); never reloaded. */
  public static TlsIdentity of(List<X509Certificate> chain, PrivateKey key)
      throws TlsConfigException {
    List<X509Certificate> copy = List.copyOf(chain);
    Objects.requireNonNull(key, "key");
    String name =
        copy.isEmpty() ? "certificate" : copy.getFirst().getSubjectX500Principal().getName();
    return new TlsIdentity(name, List.of(), generation -> snapshot(generation, copy, key, name));
  }

  /** The leaf certificate in use now. */
  public X509Certificate certificate() {
    return current.leaf();
  }

  /** The chain in use now, leaf first. */
  public List<X509Certificate> chain() {
    return current.chain();
  }

  public PrivateKey privateKey() {
    return current.key();
  }

  /**
   * The host names the certificate in use is for (its DNS subject alternative names, or its common
   * name when it has none), lower-case; {@code *.example.com} for a wildcard.
   */
  public List<String> names() {
    return current.names();
  }

  /**
   * Re-reads the files now if they changed since they were loaded.
   *
   * @return true if a new certificate is now in use
   * @throws TlsConfigException if the changed files cannot be used (the old certificate stays)
   */
  public synchronized boolean reloadIfChanged() throws TlsConfigException {
    if (files.isEmpty()) {
      return false;
    }
    Stamp stamp = stamp();
    if (stamp.equals(loadedStamp)) {
      return false;
    }
    try {
      Snapshot next = loader.load(current.generation() + 1);
      previous = current;
      current = next;
      loadedStamp = stamp;
      failedStamp = null;
      LOG.log(
          Level.INFO,
          () ->
              "reloaded TLS certificate "
                  + description
                  + ": "
                  + next.leaf().getSubjectX500Principal().getName()
                  + ", valid until "
                  + next.leaf().getNotAfter().toInstant());
      return true;
    } catch (TlsConfigException e) {
      failedStamp = stamp;
      throw e;
    }
  }

  /**
   * Called on handshakes (on an event loop): at most every {@link #RELOAD_CHECK_INTERVAL}, looks at
   * the files and, if they changed, reloads them on a virtual thread.
   */
  void checkForChanges() {
    if (files.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    long last = lastCheck.get();
    if (now - last < RELOAD_CHECK_INTERVAL.toNanos() || !lastCheck.compareAndSet(last, now)) {
      return;
    }
    Stamp stamp;
    try {
      stamp = stamp();
    } catch (TlsConfigException e) {
      return; // Mid-replacement, perhaps: look again next time.
    }
    if (stamp.equals(loadedStamp) || stamp.equals(failedStamp)) {
      return;
    }
    if (reloading.compareAndSet(false, true)) {
      Thread.ofVirtual()
          .name("wharf-tls-reload")
          .start(
              () -> {
                try {
                  reloadIfChanged();
                } catch (TlsConfigException e) {
                  LOG.log(
                      Level.WARNING,
                      "TLS certificate "
                          + description
                          + " changed but cannot be used; keeping the old one: "
                          + e.getMessage());
                } finally {
                  reloading.set(false);
                }
              });
    }
  }

  /** The version an alias names: the current one, or the one just replaced. */
  Snapshot snapshot(long generation) {
    Snapshot now = current;
    if (now.generation() == generation) {
      return now;
    }
    Snapshot before = previous;
    return before != null && before.generation() == generation ? before : now;
  }

  Snapshot current() {
    return current;
  }

  @Override
  public String toString() {
    return "TLS identity " + description;
  }

  // ---- loading ----

  private Stamp stampOrNull() {
    try {
      return stamp();
    } catch (TlsConfigException e) {
      return null;
    }
  }

  private Stamp stamp() throws TlsConfigException {
    var attributes = new ArrayList<Object>();
    for (Path file : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        attributes.add(a.lastModifiedTime());
        attributes.add(a.size());
        attributes.add(a.fileKey());
      } catch (java.nio.file.NoSuchFileException e) {
        throw new TlsConfigException("file not found: " + file, e);
      } catch (IOException e) {
        throw new TlsConfigException("cannot read " + file + ": " + e, e);
      }
    }
    return new Stamp(attributes);
  }

  private static Snapshot loadPkcs12(long generation, Path file, char[] password)
      throws TlsConfigException {
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new TlsConfigException("PKCS#12 file not found: " + file, e);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new TlsConfigException("wrong password for PKCS#12 file " + file, e);
      }
      // The JDK's own words ("toDerInputStream rejects tag type 45") help nobody.
      throw new TlsConfigException(
          file
              + (isPem(file)
                  ? " is a PEM file, not PKCS#12 (a binary .p12 or .pfx file)"
                  : " is not a PKCS#12 file (a binary .p12 or .pfx file), or it is damaged"),
          e);
    } catch (GeneralSecurityException e) {
      throw new TlsConfigException("cannot read PKCS#12 file " + file + ": " + e.getMessage(), e);
    }
    try {
      for (String alias : java.util.Collections.list(store.aliases())) {
        if (!store.isKeyEntry(alias)) {
          continue;
        }
        Key key = store.getKey(alias, password);
        Certificate[] chain = store.getCertificateChain(alias);
        if (key instanceof PrivateKey privateKey && chain != null && chain.length > 0) {
          var certificates = new ArrayList<X509Certificate>();
          for (Certificate c : chain) {
            certificates.add((X509Certificate) c);
          }
          return snapshot(generation, certificates, privateKey, file.toString());
        }
      }
    } catch (UnrecoverableKeyException e) {
      throw new TlsConfigException("wrong password for the private key in PKCS#12 file " + file, e);
    } catch (GeneralSecurityException e) {
      throw new TlsConfigException("cannot read PKCS#12 file " + file + ": " + e.getMessage(), e);
    }
    throw new TlsConfigException("no private key with a certificate in PKCS#12 file " + file);
  }

  /** Whether a file starts as PEM text does: the key material was given in the wrong option. */
  private static boolean isPem(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] start = in.readNBytes(11);
      return new String(start, java.nio.charset.StandardCharsets.US_ASCII).equals("-----BEGIN ");
    } catch (IOException e) {
      return false;
    }
  }

  /** Checks that the key belongs to the first certificate, and notes the names it serves. */
  private static Snapshot snapshot(
      long generation, List<X509Certificate> chain, PrivateKey key, String source)
      throws TlsConfigException {
    if (chain.isEmpty()) {
      throw new TlsConfigException("no certificate in " + source);
    }
    if (!belongsTo(key, chain.getFirst().getPublicKey())) {
      boolean laterMatches = chain.stream().skip(1).anyMatch(c -> belongsTo(key, c.getPublicKey()));
      throw new TlsConfigException(
          laterMatches
              ? "the private key does not match the first certificate in "
                  + source
                  + "; put the certificate for this key first, then its issuers"
              : "the private key does not match the certificate in " + source);
    }
    return new Snapshot(generation, List.copyOf(chain), key, namesOf(chain.getFirst()));
  }

  /** Whether a private key is the other half of a public key. */
  static boolean belongsTo(PrivateKey key, PublicKey publicKey) {
    if (key instanceof RSAKey rsa && publicKey instanceof RSAKey rsaPublic) {
      return rsa.getModulus().equals(rsaPublic.getModulus());
    }
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())
        && !(isEdDsa(key.getAlgorithm()) && isEdDsa(publicKey.getAlgorithm()))) {
      return false;
    }
    // EC and EdDSA: sign a challenge with the key and check it with the certificate.
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] challenge = "wharf key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isEdDsa(String algorithm) {
    return algorithm.equals("EdDSA") || algorithm.equals("Ed25519") || algorithm.equals("Ed448");
  }

  /** DNS subject alternative names, or the CN when there are none (as old certificates do). */
  static List<String> namesOf(X509Certificate certificate) {
    var names = new ArrayList<String>();
    try {
      var sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() == 2 && Integer.valueOf(2).equals(san.get(0))) {
            names.add(san.get(1).toString().toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // No usable names: the certificate still serves as a default.
    }
    if (names.isEmpty()) {
      String dn = certificate.getSubjectX500Principal().getName();
      Arrays.stream(dn.split(","))
          .map(String::trim)
          .filter(part -> part.startsWith("CN="))
          .findFirst()
          .ifPresent(cn -> names.add(cn.substring(3).toLowerCase(Locale.ROOT)));
    }
    return List.copyOf(names);
  }
}
