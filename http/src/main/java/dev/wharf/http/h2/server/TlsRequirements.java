package dev.wharf.http.h2.server;

import dev.wharf.core.tls.TlsSession;
import java.util.Optional;

/**
 * RFC 9113 §9.2's floor for HTTP/2 over TLS: TLS 1.2 or later, and on TLS 1.2 a cipher suite with
 * an ephemeral key exchange and an AEAD cipher (every suite of Appendix A's block list fails one of
 * the two). Wharf's TLS settings never agree on less; this check keeps h2 safe should they change.
 */
final class TlsRequirements {
  private TlsRequirements() {}

  /** Why the session is too weak for HTTP/2, or empty when it is strong enough. */
  static Optional<String> shortfall(TlsSession session) {
    String protocol = session.protocol();
    String suite = session.cipherSuite();
    if (protocol.equals("TLSv1.3")) {
      return Optional.empty(); // Every TLS 1.3 suite is an ephemeral AEAD one.
    }
    if (!protocol.equals("TLSv1.2")) {
      // RFC 9113 §9.2: "MUST use TLS version 1.2 or higher".
      return Optional.of(protocol + " is older than TLS 1.2");
    }
    // §9.2.1: TLS 1.2 needs an ephemeral key exchange (DHE or ECDHE) ...
    boolean ephemeral = suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_DHE_");
    // ... and §9.2.2 blocks the suites with no AEAD cipher (CBC, stream ciphers, NULL).
    boolean aead =
        suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305") || suite.contains("_CCM");
    if (!ephemeral || !aead) {
      return Optional.of(suite + " is on RFC 9113's block list for HTTP/2");
    }
    return Optional.empty();
  }
}
