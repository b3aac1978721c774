package dev.wharf.websocket;

import java.io.IOException;

/**
 * The server did not accept our opening handshake: it answered with another status than 101 (see
 * {@link #status()}), or its 101 broke RFC 6455 §4.1 (then {@code status()} is 101).
 */
public final class WebSocketHandshakeException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public WebSocketHandshakeException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status the server answered with. */
  public int status() {
    return status;
  }
}
