package dev.wharf.http.h2.client;

import java.io.IOException;

/**
 * The server did not process a request: it refused the stream (RST_STREAM REFUSED_STREAM) or said
 * in a GOAWAY that the stream lies past the last one it handles, or the connection went away before
 * any answer. {@link dev.wharf.http.client.HttpClient} sends the request again on another
 * connection when {@link #isCertain()} (RFC 9113 §8.7: such a request can be retried safely,
 * whatever its method), or when the method is idempotent.
 */
public final class UnprocessedRequestException extends IOException {
  private static final long serialVersionUID = 1L;

  private final boolean certain;

  UnprocessedRequestException(String message, boolean certain) {
    super(message);
    this.certain = certain;
  }

  /** Whether the server said so (true), or it is only likely (the connection closed first). */
  public boolean isCertain() {
    return certain;
  }
}
