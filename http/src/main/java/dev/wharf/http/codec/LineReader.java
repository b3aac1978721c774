package dev.wharf.http.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects one CRLF-terminated line across reads. A bare CR is always a protocol error. A bare LF
 * ends a line where the caller allows it (RFC 9112 §2.2 lets a recipient take it as a line
 * terminator in the start line and field lines, and people typing into nc send nothing else);
 * elsewhere, as in chunked framing where leniency has enabled smuggling, it is an error too.
 *
 * <p>Not thread-safe.
 */
final class LineReader {
  /** Bytes copied from the input at once: most lines end within one run. */
  private static final int RUN = 256;

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
   *
   * <p>Copies a run of the input at a time and looks for the line's end in the copy: reading the
   * (usually direct) input buffer a byte at a time cost more than the rest of the parsing.
   */
  boolean read(ByteBuffer input, int limit) {
    return read(input, limit, false);
  }

  /** As {@link #read(ByteBuffer, int)}; {@code bareLfEnds}: a LF without CR also ends the line. */
  boolean read(ByteBuffer input, int limit, boolean bareLfEnds) {
    int max = Math.min(limit, hardLimit);
    while (input.hasRemaining()) {
      if (sawCr) {
        if (input.get() != '\n') {
          throw MessageParseException.malformed("bare CR in a line");
        }
        sawCr = false;
        return true;
      }
      // At most one byte past the limit: if it is not the CR that ends the line, the line is
      // too long.
      int n = Math.min(input.remaining(), Math.min(RUN, Math.max(1, max - length + 1)));
      if (length + n > bytes.length) {
        bytes =
            Arrays.copyOf(bytes, Math.max(length + n, Math.min(hardLimit + 1, bytes.length * 2)));
      }
      input.get(input.position(), bytes, length, n);
      int end = indexOfCrOrLf(bytes, length, length + n);
      if (end < 0) {
        input.position(input.position() + n);
        length += n;
        if (length > max) {
          overflowed = true;
          return false;
        }
        continue;
      }
      if (bytes[end] == '\n') {
        if (!bareLfEnds) {
          throw MessageParseException.malformed("bare LF where CRLF is due");
        }
        input.position(input.position() + (end - length) + 1); // Up to and with the LF.
        length = end;
        return true;
      }
      input.position(input.position() + (end - length) + 1); // Up to and with the CR.
      length = end;
      sawCr = true;
    }
    return false;
  }

  private static int indexOfCrOrLf(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == '\r' || bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
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
