package dev.wharf.core.tls;

import java.security.cert.CertificateException;

/**
 * The peer's certificate was refused. Its message is a sentence meant for people as it is ("the
 * server's certificate expired on ..."); its {@link #reason()} is for programs, such as a command
 * that maps each kind of refusal to its own exit status.
 */
public final class PeerRejectedException extends CertificateException {
  private static final long serialVersionUID = 1L;

  /** Why the certificate was refused. */
  public enum Reason {
    /** The peer showed no certificate where one was required. */
    NO_CERTIFICATE,
    /** The certificate (or one in its chain) has expired. */
    EXPIRED,
    /** The certificate is not valid yet: often a wrong clock. */
    NOT_YET_VALID,
    /** The certificate is for other names than the one asked for. */
    WRONG_NAME,
    /** No trusted CA vouches for the certificate (self-signed ones included). */
    UNTRUSTED,
    /** None of the pinned public keys is in the chain. */
    NOT_PINNED,
    /** Refused by the JDK's validation for another reason; the message says which. */
    OTHER
  }

  private final Reason reason;

  PeerRejectedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
