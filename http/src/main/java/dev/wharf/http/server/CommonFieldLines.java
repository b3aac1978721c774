package dev.wharf.http.server;

import dev.wharf.http.codec.HttpDate;
import java.nio.charset.StandardCharsets;

/**
 * The field lines the server adds to nearly every HTTP/1.x response, encoded to bytes once and
 * shared: {@code Date} and {@code Server} (remade when the second changes) and the {@code
 * Connection} field when the response needs one. Checking and copying these three fields character
 * by character was a good share of a small response's cost, for text that changes once a second.
 *
 * <p>Any thread: the current second's lines are an immutable record behind a volatile field; two
 * threads that see a new second at once both make it, and either result is right.
 */
final class CommonFieldLines {
  /** Which Connection field a response carries (RFC 9112 §9.3, §9.6). */
  enum ConnectionField {
    /** None: HTTP/1.1 keeps the connection by default, and an upgrade sets its own. */
    NONE(""),
    /** The connection ends with this response. */
    CLOSE("Connection: close\r\n"),
    /** An HTTP/1.0 client that asked to keep the connection is told it is kept. */
    KEEP_ALIVE("Connection: keep-alive\r\n");

    private final byte[] line;

    ConnectionField(String line) {
      this.line = ascii(line);
    }
  }

  static final String SERVER = "wharf";

  /** The lines for one second, indexed by {@link ConnectionField#ordinal()}. */
  private record Second(String date, byte[][] withDateAndServer) {}

  private static volatile Second current = new Second(null, null);

  private CommonFieldLines() {}

  /**
   * {@code Date: <now>\r\nServer: wharf\r\n} and then the Connection line, if any. {@code
   * nanoTime}: a recent {@link System#nanoTime()} reading (the loop's), as {@link
   * HttpDate#now(long)} takes.
   */
  static byte[] dateServerAnd(long nanoTime, ConnectionField connection) {
    String date = HttpDate.now(nanoTime); // The same String all through a second.
    Second second = current;
    if (second.date() != date) {
      second = of(date);
      current = second;
    }
    return second.withDateAndServer()[connection.ordinal()];
  }

  /** The Connection line alone, for a response that set its own Date or Server. */
  static byte[] connectionOnly(ConnectionField connection) {
    return connection.line;
  }

  private static Second of(String date) {
    ConnectionField[] fields = ConnectionField.values();
    byte[][] lines = new byte[fields.length][];
    for (ConnectionField field : fields) {
      lines[field.ordinal()] =
          ascii(
              "Date: "
                  + date
                  + "\r\nServer: "
                  + SERVER
                  + "\r\n"
                  + new String(field.line, StandardCharsets.ISO_8859_1));
    }
    return new Second(date, lines);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
