package dev.wharf.core.tls;

import dev.wharf.core.Connection;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a TLS handshake agreed on, for the application and for {@code -v} output; read it with
 * {@link #of(Connection)}.
 *
 * @param protocol {@code TLSv1.3} or {@code TLSv1.2}
 * @param cipherSuite the IANA name, such as {@code TLS_AES_128_GCM_SHA256}
 * @param applicationProtocol the protocol agreed by ALPN, if any
 * @param serverName the host name the client asked for (SNI), if any
 * @param peerCertificates the peer's chain, leaf first; empty for a client that showed none
 * @param localCertificates the chain we showed, leaf first; empty if none
 * @param handshakeTime from the start of the handshake to its end
 */
public record TlsSession(
    String protocol,
    String cipherSuite,
    Optional<String> applicationProtocol,
    Optional<String> serverName,
    List<X509Certificate> peerCertificates,
    List<X509Certificate> localCertificates,
    Duration handshakeTime) {

  public TlsSession {
    peerCertificates = List.copyOf(peerCertificates);
    localCertificates = List.copyOf(localCertificates);
  }

  /** The peer's own certificate (the first of its chain), if it showed one. */
  public Optional<X509Certificate> peerCertificate() {
    return peerCertificates.isEmpty() ? Optional.empty() : Optional.of(peerCertificates.getFirst());
  }

  /**
   * What the TLS handshake of a connection agreed on, as its protocol sees it: empty when the
   * connection does not speak TLS (or its handshake is not done).
   */
  public static Optional<TlsSession> of(Connection connection) {
    return connection.lookup(TlsSession.class);
  }

  /** What an engine's finished handshake agreed on. */
  static TlsSession of(SSLEngine engine, boolean client, Duration handshakeTime) {
    SSLSession session = engine.getSession();
    String alpn = engine.getApplicationProtocol();
    return new TlsSession(
        session.getProtocol(),
        session.getCipherSuite(),
        alpn == null || alpn.isEmpty() ? Optional.empty() : Optional.of(alpn),
        Optional.ofNullable(serverName(engine, session, client)),
        peerCertificates(session),
        x509(session.getLocalCertificates()),
        handshakeTime);
  }

  /** The name the client asked for: as a client, the one we sent; as a server, the one we got. */
  private static String serverName(SSLEngine engine, SSLSession session, boolean client) {
    List<SNIServerName> names =
        client
            ? engine.getSSLParameters().getServerNames()
            : session instanceof ExtendedSSLSession extended
                ? extended.getRequestedServerNames()
                : List.of();
    if (names != null) {
      for (SNIServerName name : names) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return null;
  }

  private static List<X509Certificate> peerCertificates(SSLSession session) {
    try {
      return x509(session.getPeerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // A client that showed no certificate.
    }
  }

  private static List<X509Certificate> x509(Certificate[] certificates) {
    var list = new ArrayList<X509Certificate>();
    if (certificates != null) {
      for (Certificate c : certificates) {
        if (c instanceof X509Certificate x) {
          list.add(x);
        }
      }
    }
    return list;
  }

  /** One line for logs: {@code TLSv1.3 TLS_AES_128_GCM_SHA256 alpn=http/1.1 in 3 ms}. */
  @Override
  public String toString() {
    return protocol
        + " "
        + cipherSuite
        + applicationProtocol.map(p -> " alpn=" + p).orElse("")
        + serverName.map(n -> " sni=" + n).orElse("")
        + " in "
        + handshakeTime.toMillis()
        + " ms";
  }
}
