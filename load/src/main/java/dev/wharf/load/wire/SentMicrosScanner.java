package dev.wharf.load.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Finds {@code "sentMicros":N} in a text message that arrives in pieces, without keeping the
 * message: the time its sender put in it (microseconds since the epoch), so that the receiver can
 * time a broadcast. The first occurrence counts; {@link #micros} is -1 when there is none. A few
 * fields of state, no allocation: one per held connection.
 *
 * <p>Not thread-safe: one connection's thread owns it.
 */
public final class SentMicrosScanner {
  private static final byte[] KEY = "\"sentMicros\":".getBytes(StandardCharsets.US_ASCII);

  private int matched;
  private boolean inNumber;
  private boolean done;
  private long micros = -1;

  /** Forgets the last message, for the next. */
  public void reset() {
    matched = 0;
    inNumber = false;
    done = false;
    micros = -1;
  }

  /** Reads the bytes between position and limit, leaving the position where it was. */
  public void scan(ByteBuffer data) {
    for (int i = data.position(); i < data.limit() && !done; i++) {
      byte b = data.get(i);
      if (inNumber) {
        if (b >= '0' && b <= '9' && micros < Long.MAX_VALUE / 10) {
          micros = (micros < 0 ? 0 : micros * 10) + (b - '0');
        } else if (b == ' ' && micros < 0) {
          continue; // JSON allows spaces after the colon
        } else {
          done = true;
        }
      } else if (b == KEY[matched]) {
        if (++matched == KEY.length) {
          inNumber = true;
        }
      } else {
        matched = b == KEY[0] ? 1 : 0;
      }
    }
  }

  /** The number after the key, or -1 if the message had none (yet). */
  public long micros() {
    return micros;
  }
}
