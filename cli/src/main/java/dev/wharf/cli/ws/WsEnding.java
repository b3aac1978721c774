package dev.wharf.cli.ws;

import dev.wharf.cli.Failures;
import dev.wharf.cli.Json;
import dev.wharf.websocket.codec.CloseCodes;
import dev.wharf.websocket.codec.WebSocketException;

/**
 * How one WebSocket connection of {@code wharf ws} ended, and whether that was a success.
 *
 * @param code the close code the listener was told (1006 when no Close frame came)
 * @param reason the Close frame's reason, or what happened instead
 * @param weClosed we started the closing handshake (stdin ended, or {@code --exit-after})
 * @param error what went wrong before the close (a protocol error, a reset, stdout gone), or null
 */
record WsEnding(int code, String reason, boolean weClosed, Throwable error) {

  /**
   * A success: a closing handshake that we started and the peer answered, or one the peer started
   * with 1000 (normal) or no code at all (1005).
   */
  boolean isClean() {
    if (error != null || code == CloseCodes.ABNORMAL) {
      return false;
    }
    return weClosed || code == CloseCodes.NORMAL || code == CloseCodes.NO_STATUS;
  }

  /** The one line that says what went wrong, for a connection that did not end cleanly. */
  String problem() {
    if (error instanceof WebSocketException broken) {
      return "the peer broke the protocol: "
          + Failures.describe(broken)
          + " (we closed with "
          + CloseCodes.describe(broken.closeCode())
          + ")";
    }
    if (error instanceof MessagePipe.StdoutFailed) {
      return Failures.describe(error);
    }
    if (error != null) {
      return "connection lost: " + Failures.describe(Failures.unwrap(error));
    }
    if (code == CloseCodes.ABNORMAL) {
      return "connection lost: " + reason;
    }
    return "closed by the peer with "
        + CloseCodes.describe(code)
        + (reason.isEmpty() ? "" : ": " + Json.quote(reason));
  }
}
