package dev.wharf.http.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
  private static final byte CR = '\r';
  private static final byte LF = '\n';

  /** A long with every byte {@code 0x7f}; see {@link #zeroBytes}. */
  private static final long LOW_SEVEN = 0x7f7f_7f7f_7f7f_7f7fL;

  private static final long CRS = 0x0d0d_0d0d_0d0d_0d0dL;
  private static final long LFS = 0x0a0a_0a0a_0a0a_0a0aL;

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
   * <p>Looks for the line's end in the input eight bytes at a time and then copies just the line:
   * reading the (usually direct) input a byte at a time cost more than the rest of the parsing, and
   * copying a fixed run ahead of the search copied a pipelined batch several times over.
   */
  boolean read(ByteBuffer input, int limit) {
    return read(input, limit, false);
  }

  /** As {@link #read(ByteBuffer, int)}; {@code bareLfEnds}: a LF without CR also ends the line. */
  boolean read(ByteBuffer input, int limit, boolean bareLfEnds) {
    int max = Math.min(limit, hardLimit);
    while (input.hasRemaining()) {
      if (sawCr) {
        if (input.get() != LF) {
          throw MessageParseException.malformed("bare CR in a line");
        }
        sawCr = false;
        return true;
      }
      int from = input.position();
      // At most one byte past the limit: if it is not the CR that ends the line, the line is
      // too long.
      int n = Math.min(input.remaining(), Math.max(1, max - length + 1));
      int end = indexOfCrOrLf(input, from, from + n);
      append(input, from, (end < 0 ? from + n : end) - from);
      if (end < 0) {
        input.position(from + n);
        if (length > max) {
          overflowed = true;
          return false;
        }
        continue;
      }
      input.position(end + 1); // Up to and with the CR or LF.
      if (input.get(end) == LF) {
        if (!bareLfEnds) {
          throw MessageParseException.malformed("bare LF where CRLF is due");
        }
        return true;
      }
      sawCr = true;
    }
    return false;
  }

  private void append(ByteBuffer input, int from, int n) {
    if (length + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(length + n, Math.min(hardLimit + 1, bytes.length * 2)));
    }
    input.get(from, bytes, length, n);
    length += n;
  }

  /** The index of the first CR or LF in {@code input[from, to)}, or -1; reads a long at a time. */
  static int indexOfCrOrLf(ByteBuffer input, int from, int to) {
    boolean bigEndian = input.order() == ByteOrder.BIG_ENDIAN;
    int i = from;
    for (; to - i >= Long.BYTES; i += Long.BYTES) {
      long word = input.getLong(i);
      long found = zeroBytes(word ^ CRS) | zeroBytes(word ^ LFS);
      if (found != 0) {
        // The first byte in memory is the most significant one in big-endian order.
        int bit = bigEndian ? Long.numberOfLeadingZeros(found) : Long.numberOfTrailingZeros(found);
        return i + (bit >>> 3);
      }
    }
    for (; i < to; i++) {
      byte b = input.get(i);
      if (b == CR || b == LF) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The high bit of each byte of {@code word} that is zero, and no other bit. Exact for every byte
   * (unlike the shorter {@code (v - 0x01..) & ~v & 0x80..}, whose borrow can mark the byte above a
   * zero one), so it serves either byte order.
   */
  private static long zeroBytes(long word) {
    return ~(((word & LOW_SEVEN) + LOW_SEVEN) | word | LOW_SEVEN);
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
