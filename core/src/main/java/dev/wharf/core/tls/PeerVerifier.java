package dev.wharf.core.tls;

import dev.wharf.core.tls.PeerRejectedException.Reason;
import java.net.Socket;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks a peer's certificate chain: the JDK's PKIX validation (and, for a client, its host-name
 * check, switched on through the engine's endpoint identification), then the pins. Its failures say
 * in plain words what is wrong with which certificate, since the JDK's own ("PKIX path building
 * failed: ... unable to find valid certification path to requested target") do not.
 */
final class PeerVerifier extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager pkix;
  private final List<PublicKeyPin> pins;

  /**
   * @param pkix the JDK's validation, or null to accept any chain (insecure)
   * @param pins keys of which the chain must contain one; empty for no pinning
   */
  PeerVerifier(X509ExtendedTrustManager pkix, List<PublicKeyPin> pins) {
    this.pkix = pkix;
    this.pins = List.copyOf(pins);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    String host = expectedHost(engine);
    verify(chain, "server", host, () -> pkix.checkServerTrusted(chain, authType, engine));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, "client", null, () -> pkix.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, "server", null, () -> pkix.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, "client", null, () -> pkix.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, "server", null, () -> pkix.checkServerTrusted(chain, authType));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, "client", null, () -> pkix.checkClientTrusted(chain, authType));
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix == null ? new X509Certificate[0] : pkix.getAcceptedIssuers();
  }

  private interface Check {
    void run() throws CertificateException;
  }

  private void verify(X509Certificate[] chain, String peer, String host, Check pkixCheck)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw rejected(Reason.NO_CERTIFICATE, "the " + peer + " sent no certificate", null);
    }
    X509Certificate leaf = chain[0];
    if (pkix != null) {
      checkDates(leaf, peer);
      try {
        pkixCheck.run();
      } catch (CertificateException e) {
        throw explain(e, chain, peer, host);
      }
    }
    if (!pins.isEmpty() && pins.stream().noneMatch(pin -> pin.matchesAny(List.of(chain)))) {
      throw rejected(
          Reason.NOT_PINNED,
          "the "
              + peer
              + "'s public key is not pinned: it is "
              + PublicKeyPin.of(leaf)
              + ", expected "
              + (pins.size() == 1 ? pins.getFirst() : "one of " + pins),
          null);
    }
  }

  private static void checkDates(X509Certificate leaf, String peer) throws PeerRejectedException {
    try {
      leaf.checkValidity(new Date());
    } catch (CertificateExpiredException e) {
      throw rejected(
          Reason.EXPIRED,
          "the "
              + peer
              + "'s certificate expired on "
              + leaf.getNotAfter().toInstant()
              + " ("
              + subject(leaf)
              + ")",
          e);
    } catch (CertificateNotYetValidException e) {
      throw rejected(
          Reason.NOT_YET_VALID,
          "the "
              + peer
              + "'s certificate is not valid before "
              + leaf.getNotBefore().toInstant()
              + " ("
              + subject(leaf)
              + "); check the clock",
          e);
    }
  }

  private static PeerRejectedException rejected(Reason reason, String message, Throwable cause) {
    return new PeerRejectedException(reason, message, cause);
  }

  /** Turns the JDK's rejection into one that says what is wrong. */
  private static CertificateException explain(
      CertificateException e, X509Certificate[] chain, String peer, String host) {
    X509Certificate leaf = chain[0];
    String message = String.valueOf(e.getMessage());
    if (host != null
        && (message.startsWith("No subject alternative")
            || message.startsWith("No name matching"))) {
      List<String> names = namesIn(leaf);
      return rejected(
          Reason.WRONG_NAME,
          "the "
              + peer
              + "'s certificate is not for "
              + host
              + (names.isEmpty() ? " (it names no host)" : " but for " + String.join(", ", names)),
          e);
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateExpiredException
          || (cause instanceof CertPathValidatorException v
              && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED)) {
        return rejected(
            Reason.EXPIRED,
            "a certificate in the " + peer + "'s chain has expired (" + subject(leaf) + ")",
            e);
      }
      if (cause instanceof CertPathBuilderException
          || String.valueOf(cause.getMessage())
              .contains("unable to find valid certification path")) {
        boolean selfSigned = leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal());
        return rejected(
            Reason.UNTRUSTED,
            selfSigned
                ? "the "
                    + peer
                    + "'s certificate is self-signed and not trusted ("
                    + subject(leaf)
                    + ")"
                : "the "
                    + peer
                    + "'s certificate is not trusted: "
                    + subject(leaf)
                    + ", issued by "
                    + leaf.getIssuerX500Principal().getName()
                    + ", does not chain to a trusted CA",
            e);
      }
    }
    return rejected(Reason.OTHER, "the " + peer + "'s certificate was rejected: " + message, e);
  }

  /** The name the client checks the server's certificate against: the SNI name, or the host. */
  private static String expectedHost(SSLEngine engine) {
    SSLSession session = engine.getHandshakeSession();
    if (session instanceof ExtendedSSLSession extended) {
      for (SNIServerName name : extended.getRequestedServerNames()) {
        if (name instanceof SNIHostName hostName) {
          return hostName.getAsciiName();
        }
      }
    }
    return engine.getPeerHost();
  }

  private static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }

  /** The DNS names and IP addresses a certificate is for. */
  private static List<String> namesIn(X509Certificate certificate) {
    var names = new ArrayList<String>();
    try {
      var sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          Object type = san.get(0);
          if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException ignored) {
      // Fall back to the subject below.
    }
    if (names.isEmpty()) {
      names.add(subject(certificate));
    }
    return names;
  }
}
