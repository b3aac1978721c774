package dev.wharf.dns;

import java.io.IOException;

/**
 * No server gave an answer that matched the query: every try timed out, was refused or broke off.
 * The message says what happened to the last try; the others are suppressed exceptions.
 *
 * <p>Immutable once thrown; any thread.
 */
public final class NoAnswerException extends IOException {
  private static final long serialVersionUID = 1L;

  public NoAnswerException(String message) {
    super(message);
  }
}
