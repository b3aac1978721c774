package dev.wharf.cli.tls;

import dev.wharf.core.tls.PeerRejectedException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * What kind of TLS failure ended a connection, for exit codes: the engine explains each failure in
 * a sentence ("the server's certificate expired on ..."), and the kind is read from the {@link
 * PeerRejectedException} it chained, never from the sentence.
 */
public final class TlsFailures {
  private TlsFailures() {}

  public enum Kind {
    /** Not a TLS failure. */
    NONE,
    /** The handshake or the TLS layer failed: no version or suite in common, an alert. */
    HANDSHAKE,
    /** The peer's certificate was rejected: untrusted, expired, for another name. */
    CERTIFICATE,
    /** The peer's key is not one of the pinned keys. */
    PIN
  }

  public static Kind kind(Throwable failure) {
    PeerRejectedException rejected = rejectionIn(failure);
    if (rejected != null) {
      return rejected.reason() == PeerRejectedException.Reason.NOT_PINNED
          ? Kind.PIN
          : Kind.CERTIFICATE;
    }
    boolean tls = false;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) {
        return Kind.CERTIFICATE;
      }
      tls |= t instanceof SSLException;
    }
    return tls ? Kind.HANDSHAKE : Kind.NONE;
  }

  /** What to do about a certificate no CA vouches for, added to the failure's line. */
  public static String advice(Throwable failure) {
    PeerRejectedException rejected = rejectionIn(failure);
    return rejected != null && rejected.reason() == PeerRejectedException.Reason.UNTRUSTED
        ? "; trust it with --cacert FILE (its CA, or itself if self-signed)"
        : "";
  }

  /** The engine's typed refusal among the failure's causes, or null. */
  private static PeerRejectedException rejectionIn(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PeerRejectedException rejected) {
        return rejected;
      }
    }
    return null;
  }
}
