package dev.wharf.http.server;

import java.io.IOException;

/**
 * Reading a streamed request body failed because of the client: it broke off, sent too slowly, sent
 * too much or broke the framing. {@link #status()} is the answer it gets if the handler lets the
 * exception escape.
 */
public final class RequestBodyException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public RequestBodyException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
