package dev.wharf.http.h2.frame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The client connection preface of HTTP/2 (RFC 9113 §3.4), {@code PRI *
 * HTTP/2.0\r\n\r\nSM\r\n\r\n}, which a client sends before its first frame: {@link #read} consumes
 * it on a server, and {@link #match} tells, without consuming anything, whether bytes that arrived
 * on a port that also speaks HTTP/1.1 begin it (h2c by prior knowledge, §3.3). A reader belongs to
 * one connection's event loop; the static parts may be used from any thread.
 */
public final class ConnectionPreface {
  private static final byte[] BYTES =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** What the bytes seen so far say about a preface. */
  public enum Match {
    /** They are the whole preface (and maybe more). */
    PREFACE,
    /** They begin the preface but end before it does: wait for more. */
    NEED_MORE,
    /** They are not the preface: HTTP/1.1, or garbage. */
    NOT_PREFACE
  }

  private int matched;

  /** The 24 bytes of the preface, a fresh copy. */
  public static byte[] bytes() {
    return BYTES.clone();
  }

  /** The preface's length in bytes: 24. */
  public static int length() {
    return BYTES.length;
  }

  /** Writes the preface into {@code out} (a client's first bytes). */
  public static void write(ByteBuffer out) {
    out.put(BYTES);
  }

  /**
   * Compares the bytes between {@code input}'s position and limit with the preface, without moving
   * the position. An HTTP/1.1 request line never starts with {@code PRI * HTTP/2.0} (§3.4 picked
   * the method PRI for that), so the first bytes suffice to tell the protocols apart.
   */
  public static Match match(ByteBuffer input) {
    int n = Math.min(input.remaining(), BYTES.length);
    for (int i = 0; i < n; i++) {
      if (input.get(input.position() + i) != BYTES[i]) {
        return Match.NOT_PREFACE;
      }
    }
    return n == BYTES.length ? Match.PREFACE : Match.NEED_MORE;
  }

  /**
   * Consumes as much of the preface as {@code input} holds, leaving what follows it (the first
   * frame) unread.
   *
   * @return true once the whole preface has been read
   * @throws Http2Exception a connection error PROTOCOL_ERROR at the first byte that differs (§3.4)
   */
  public boolean read(ByteBuffer input) {
    while (matched < BYTES.length && input.hasRemaining()) {
      byte b = input.get();
      // RFC 9113 §3.4: an invalid connection preface is a connection error of type
      // PROTOCOL_ERROR.
      if (b != BYTES[matched]) {
        throw Http2Exception.connectionError(
            ErrorCode.PROTOCOL_ERROR,
            "connection preface differs at byte "
                + matched
                + ": 0x"
                + Integer.toHexString(b & 0xFF));
      }
      matched++;
    }
    return isRead();
  }

  /** Whether the whole preface has been read. */
  public boolean isRead() {
    return matched == BYTES.length;
  }
}
