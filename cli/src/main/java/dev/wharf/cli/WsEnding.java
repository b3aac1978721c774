package dev.wharf.cli;

import dev.wharf.websocket.CloseCodes;
import dev.wharf.websocket.WebSocketException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
      return "connection lost: " + humanDurations(reason);
    }
    return "closed by the peer with "
        + CloseCodes.describe(code)
        + (reason.isEmpty() ? "" : ": " + Json.quote(reason));
  }

  private static final Pattern ISO_DURATION =
      Pattern.compile("\\bPT(?:\\d+H)?(?:\\d+M)?(?:[\\d.]+S)?");

  /** The module tells its timeouts as Duration prints them (PT1M30S); people read "90 s". */
  static String humanDurations(String text) {
    Matcher matcher = ISO_DURATION.matcher(text);
    return matcher.replaceAll(
        match -> {
          try {
            double seconds = Duration.parse(match.group()).toMillis() / 1000.0;
            return Matcher.quoteReplacement(
                (seconds == Math.rint(seconds)
                        ? Long.toString((long) seconds)
                        : Double.toString(seconds))
                    + " s");
          } catch (DateTimeParseException e) {
            return Matcher.quoteReplacement(match.group());
          }
        });
  }
}
