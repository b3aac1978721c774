package dev.wharf.core.tls;

import java.io.IOException;

/**
 * Key material or trust that cannot be used: a missing or unreadable file, a format that cannot be
 * parsed, a wrong password, a key that does not belong to its certificate. The message says which
 * file and what to do, in one line a person can act on.
 */
public final class TlsConfigException extends IOException {
  private static final long serialVersionUID = 1L;

  public TlsConfigException(String message) {
    super(message);
  }

  public TlsConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
