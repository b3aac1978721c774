package dev.wharf.http.client;

import java.io.IOException;

/**
 * A kept-alive connection taken from the pool was closed by the server before any byte of the
 * answer came: the server's keep-alive timeout and our request crossed. The request may never have
 * been seen, so {@link HttpClient} sends an idempotent one again on a new connection (RFC 9110
 * §9.2.2); any other fails with this.
 */
public final class StaleConnectionException extends IOException {
  private static final long serialVersionUID = 1L;

  StaleConnectionException(String method, Throwable cause) {
    super(
        "the server closed the kept-alive connection before answering"
            + (isIdempotent(method) ? "" : " (" + method + " is not idempotent: not sent again)"),
        cause);
  }

  /** RFC 9110 §9.2.2: the methods a client may send again after a connection failure. */
  static boolean isIdempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE" -> true;
      default -> false;
    };
  }
}
