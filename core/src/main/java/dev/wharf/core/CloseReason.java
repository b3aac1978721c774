package dev.wharf.core;

import java.util.Optional;

/**
 * Why a connection closed: who started it and, for failures, the error.
 *
 * @param kind who or what closed the connection
 * @param message a short human-readable explanation
 * @param error the failure behind it, for {@link Kind#ERROR} and {@link Kind#TIMEOUT}
 */
public record CloseReason(Kind kind, String message, Optional<Throwable> error) {

  /** Who or what closed a connection. */
  public enum Kind {
    /** This side closed it on purpose. */
    LOCAL,
    /** The peer closed it (EOF or reset). */
    PEER,
    /** A timeout expired (connect, idle, read, write stall). */
    TIMEOUT,
    /** An I/O error or an exception in a handler. */
    ERROR,
    /** The event loop group shut down. */
    SHUTDOWN
  }

  public static final CloseReason LOCAL = new CloseReason(Kind.LOCAL, "closed", Optional.empty());
  public static final CloseReason PEER =
      new CloseReason(Kind.PEER, "closed by peer", Optional.empty());
  public static final CloseReason SHUTDOWN =
      new CloseReason(Kind.SHUTDOWN, "shut down", Optional.empty());

  public static CloseReason local(String message) {
    return new CloseReason(Kind.LOCAL, message, Optional.empty());
  }

  public static CloseReason timeout(String message) {
    return new CloseReason(
        Kind.TIMEOUT, message, Optional.of(new ConnectionTimeoutException(message)));
  }

  public static CloseReason error(Throwable error) {
    String message =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new CloseReason(Kind.ERROR, message, Optional.of(error));
  }

  /** True when the connection closed because something went wrong. */
  public boolean isFailure() {
    return kind == Kind.ERROR || kind == Kind.TIMEOUT;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
  }
}
