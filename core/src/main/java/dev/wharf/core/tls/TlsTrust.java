package dev.wharf.core.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which certificate authorities a peer's certificate must chain to: the JDK's trust store (the
 * default for clients), the CAs in a PEM file ({@code --cacert}), or none at all ({@code
 * --insecure}: every certificate is accepted, for tests and debugging only).
 *
 * <p>Immutable.
 */
public final class TlsTrust {
  private static final TlsTrust SYSTEM = new TlsTrust(null, false, "the system trust store");
  private static final TlsTrust INSECURE = new TlsTrust(null, true, "nothing (insecure)");

  private final List<X509Certificate> anchors;
  private final boolean insecure;
  private final String description;

  private TlsTrust(List<X509Certificate> anchors, boolean insecure, String description) {
    this.anchors = anchors;
    this.insecure = insecure;
    this.description = description;
  }

  /** The JDK's default trust store ({@code cacerts}, or {@code javax.net.ssl.trustStore}). */
  public static TlsTrust system() {
    return SYSTEM;
  }

  /** The CA certificates in a PEM file. */
  public static TlsTrust fromPem(Path caFile) throws TlsConfigException {
    return new TlsTrust(Pem.readCertificates(caFile), false, "the CAs in " + caFile);
  }

  /** These CA (or self-signed) certificates. */
  public static TlsTrust of(Collection<X509Certificate> certificates) {
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no trusted certificate given");
    }
    return new TlsTrust(List.copyOf(certificates), false, certificates.size() + " given CAs");
  }

  /**
   * Trusts every certificate and checks no host name: anyone on the path can read and change the
   * traffic. For testing only; combine with a {@link PublicKeyPin} to trust one known key.
   */
  public static TlsTrust insecure() {
    return INSECURE;
  }

  public boolean isInsecure() {
    return insecure;
  }

  /** The trusted CA certificates when given explicitly; empty for the system store. */
  public List<X509Certificate> certificates() {
    return anchors == null ? List.of() : anchors;
  }

  /** The JDK's PKIX trust manager over these anchors; null when insecure. */
  X509ExtendedTrustManager pkix() {
    if (insecure) {
      return null;
    }
    try {
      var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (anchors == null) {
        factory.init((KeyStore) null);
      } else {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (X509Certificate anchor : anchors) {
          store.setCertificateEntry("ca-" + i++, anchor);
        }
        factory.init(store);
      }
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JDK offers no X.509 trust manager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot set up certificate checking: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return description;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsTrust other
        && insecure == other.insecure
        && Objects.equals(anchors, other.anchors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(anchors, insecure);
  }
}
