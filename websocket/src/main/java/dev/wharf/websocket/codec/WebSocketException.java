package dev.wharf.websocket.codec;

/**
 * The peer broke WebSocket (RFC 6455) or went past a limit: carries the close code to answer with
 * (1002 protocol error, 1007 invalid payload, 1009 message too big, ...). The connection sends a
 * Close frame with that code and closes; nothing else is affected.
 */
public final class WebSocketException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int closeCode;

  public WebSocketException(int closeCode, String message) {
    super(message);
    this.closeCode = closeCode;
  }

  /** The close code to answer with. */
  public int closeCode() {
    return closeCode;
  }

  /** 1002: a framing or protocol rule was broken. */
  public static WebSocketException protocolError(String message) {
    return new WebSocketException(CloseCodes.PROTOCOL_ERROR, message);
  }

  /** 1007: a text message or close reason is not valid UTF-8. */
  public static WebSocketException invalidPayload(String message) {
    return new WebSocketException(CloseCodes.INVALID_PAYLOAD, message);
  }

  /** 1009: a frame or message is larger than the configured limit. */
  public static WebSocketException tooBig(String message) {
    return new WebSocketException(CloseCodes.MESSAGE_TOO_BIG, message);
  }
}
