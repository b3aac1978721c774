package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpStatus;
import java.nio.charset.StandardCharsets;

/**
 * Turns a status and header fields into the bytes of an HTTP/1.1 response head (RFC 9112 §4),
 * refusing names and values that could split a response (CR, LF or other controls).
 *
 * <p>The head is measured first, then written once into an array (of exactly its size, or one the
 * caller reuses), checking each character as it is copied: building a String and copying it out
 * made three objects per response.
 *
 * <p>Stateless and thread-safe; does no I/O.
 */
public final class Http1ResponseEncoder {
  /** {@code HTTP/1.1 <status> <reason>\r\n} of every status with a standard reason, made once. */
  private static final byte[][] STATUS_LINES = new byte[1000][];

  static {
    for (int status = 100; status < 600; status++) {
      if (!HttpStatus.reason(status).isEmpty()) {
        STATUS_LINES[status] = statusLineOf(status);
      }
    }
  }

  private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");

  private Http1ResponseEncoder() {}

  /** {@code HTTP/1.1 <status> <reason>\r\n}, each field, and the empty line. */
  public static byte[] encodeHead(int status, Headers headers) {
    return encodeHead(status, headers, -1);
  }

  /**
   * As {@link #encodeHead(int, Headers)}, with a {@code Content-Length} field after the others when
   * {@code contentLength} is not negative: a server knows the length as a number, and writing its
   * digits here saves making a String of them.
   */
  public static byte[] encodeHead(int status, Headers headers, long contentLength) {
    byte[] out = new byte[headLength(status, headers, contentLength)];
    encodeHead(status, headers, contentLength, out);
    return out;
  }

  /** The size in bytes of the head {@link #encodeHead(int, Headers, long)} makes. */
  public static int headLength(int status, Headers headers, long contentLength) {
    int size = statusLine(status).length + FieldLines.length(headers) + 2;
    if (contentLength >= 0) {
      size += CONTENT_LENGTH.length + digitCount(contentLength) + 2;
    }
    return size;
  }

  /**
   * Writes the head into the start of {@code out}, which must hold {@link #headLength} bytes, and
   * returns its length. Lets a caller encode into an array it reuses.
   */
  public static int encodeHead(int status, Headers headers, long contentLength, byte[] out) {
    byte[] statusLine = statusLine(status);
    System.arraycopy(statusLine, 0, out, 0, statusLine.length);
    int at = FieldLines.put(out, statusLine.length, headers);
    return endHead(out, at, contentLength);
  }

  /**
   * The size of the head {@link #encodeHead(int, Headers.Builder, byte[], long, byte[])} writes.
   */
  public static int headLength(
      int status, Headers.Builder headers, byte[] encodedLines, long contentLength) {
    int size = statusLine(status).length + FieldLines.length(headers) + encodedLines.length + 2;
    if (contentLength >= 0) {
      size += CONTENT_LENGTH.length + digitCount(contentLength) + 2;
    }
    return size;
  }

  /**
   * A server's head: the status line, the fields collected in {@code headers} (checked as they are
   * copied, without building a {@link Headers} of them first), then {@code encodedLines}, field
   * lines the caller encoded once and keeps (the current second's Date and the Server field, say;
   * they are copied unchecked, so they must be the caller's own, never a peer's), then
   * Content-Length when not negative, and the empty line. Returns the head's length.
   */
  public static int encodeHead(
      int status, Headers.Builder headers, byte[] encodedLines, long contentLength, byte[] out) {
    byte[] statusLine = statusLine(status);
    System.arraycopy(statusLine, 0, out, 0, statusLine.length);
    int at = FieldLines.put(out, statusLine.length, headers);
    System.arraycopy(encodedLines, 0, out, at, encodedLines.length);
    return endHead(out, at + encodedLines.length, contentLength);
  }

  /** Content-Length when not negative, then the empty line; returns where the head ends. */
  private static int endHead(byte[] out, int at, long contentLength) {
    if (contentLength >= 0) {
      System.arraycopy(CONTENT_LENGTH, 0, out, at, CONTENT_LENGTH.length);
      at += CONTENT_LENGTH.length;
      int digits = digitCount(contentLength);
      for (int i = digits - 1; i >= 0; i--) {
        out[at + i] = (byte) ('0' + contentLength % 10);
        contentLength /= 10;
      }
      at += digits;
      out[at++] = '\r';
      out[at++] = '\n';
    }
    out[at++] = '\r';
    out[at++] = '\n';
    return at;
  }

  private static byte[] statusLine(int status) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status must have three digits: " + status);
    }
    return STATUS_LINES[status] != null ? STATUS_LINES[status] : statusLineOf(status);
  }

  private static int digitCount(long value) {
    int digits = 1;
    while (value >= 10) {
      value /= 10;
      digits++;
    }
    return digits;
  }

  private static byte[] statusLineOf(int status) {
    return ascii("HTTP/1.1 " + status + " " + HttpStatus.reason(status) + "\r\n");
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
