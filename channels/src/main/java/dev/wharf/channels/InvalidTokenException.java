package dev.wharf.channels;

/**
 * A token was refused: {@link #isExpired()} tells an expired one (the client should get a fresh
 * one) from one that will never do (malformed, forged, signed another way, not meant for this
 * server). The message is sent to the client: it says what was wrong, never what the key is.
 */
public final class InvalidTokenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean expired;

  private InvalidTokenException(String message, boolean expired) {
    super(message, null, false, false);
    this.expired = expired;
  }

  /** A token that will never be accepted. */
  public static InvalidTokenException invalid(String message) {
    return new InvalidTokenException(message, false);
  }

  /** A token that was valid and is no longer. */
  public static InvalidTokenException expired(String message) {
    return new InvalidTokenException(message, true);
  }

  public boolean isExpired() {
    return expired;
  }
}
