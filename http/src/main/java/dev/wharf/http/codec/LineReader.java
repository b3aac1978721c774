package dev.wharf.http.codec;

import dev.wharf.http.HttpException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects one CRLF-terminated line across reads. A bare CR or a bare LF is a protocol error (RFC
 * 9112 §2.2 lets a server reject them, and accepting them is how smuggling starts).
 *
 * <p>Not thread-safe.
 */
final class LineReader {
  private byte[] bytes = new byte[256];
  private int length;
  private boolean sawCr;
  private boolean overflowed;
  private final int hardLimit;

  LineReader(int hardLimit) {
    this.hardLimit = hardLimit;
  }

  /**
   * Reads up to the end of a line. Returns true when a whole line is in {@link #bytes()}; false
   * when the input ran out first, or the line passed {@code limit} bytes (then {@link
   * #overflowed()} is true).
   */
  boolean read(ByteBuffer input, int limit) {
    while (input.hasRemaining()) {
      byte b = input.get();
      if (sawCr) {
        if (b != '\n') {
          throw HttpException.badRequest("bare CR in a line");
        }
        sawCr = false;
        return true;
      }
      if (b == '\r') {
        sawCr = true;
        continue;
      }
      if (b == '\n') {
        throw HttpException.badRequest("bare LF where CRLF is due");
      }
      if (length >= limit || length >= hardLimit) {
        overflowed = true;
        return false;
      }
      if (length == bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(hardLimit, bytes.length * 2));
      }
      bytes[length++] = b;
    }
    return false;
  }

  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }

  boolean overflowed() {
    return overflowed;
  }

  boolean isEmpty() {
    return length == 0 && !sawCr;
  }

  void reset() {
    length = 0;
    sawCr = false;
    overflowed = false;
    if (bytes.length > 4096) {
      bytes = new byte[256]; // Don't keep a large buffer on an idle connection.
    }
  }
}
