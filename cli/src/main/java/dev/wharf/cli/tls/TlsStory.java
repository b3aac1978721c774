package dev.wharf.cli.tls;

import dev.wharf.cli.Story;
import dev.wharf.core.tls.TlsSession;

/**
 * One line about a finished TLS handshake, for {@code -v}: version, cipher suite, ALPN, the name
 * asked for, the peer's certificate and how long the handshake took.
 */
public final class TlsStory {
  private TlsStory() {}

  /**
   * {@code TLSv1.3 TLS_AES_128_GCM_SHA256, ALPN h2, SNI localhost, certificate CN=localhost (issuer
   * CN=Test CA, expires 2027-01-02), handshake 12.3 ms}.
   *
   * @param client whether we are the client (the peer's certificate is the server's) or the server
   *     (it is the client's, if it showed one)
   */
  public static String describe(TlsSession session, boolean client) {
    var line = new StringBuilder();
    line.append(session.protocol())
        .append(' ')
        .append(session.cipherSuite())
        .append(", ALPN ")
        .append(session.applicationProtocol().orElse("none"));
    if (session.serverName().isPresent() || !client) {
      line.append(", SNI ").append(session.serverName().orElse("none"));
    }
    String whose = client ? "certificate " : "client certificate ";
    line.append(", ")
        .append(
            session
                .peerCertificate()
                .map(certificate -> whose + Certificates.describe(certificate))
                .orElse("no " + whose.strip()));
    line.append(", handshake ").append(Story.millis(session.handshakeTime().toNanos()));
    return line.toString();
  }
}
