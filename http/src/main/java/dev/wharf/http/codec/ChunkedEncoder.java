package dev.wharf.http.codec;

import java.nio.ByteBuffer;

/**
 * The chunked transfer coding (RFC 9112 §7.1) for a body sent as it comes, the other half of what
 * {@link BodyDecoder} reads: each chunk is its size in hex and CRLF, the data, CRLF; the body ends
 * with a zero-size chunk and a trailer section, often empty.
 *
 * <p>The data itself is not copied here: a sender writes {@link #chunkStart}, then its buffer, then
 * {@link #chunkEnd}, so a chunk of any size costs one small array. The server's streamed responses
 * and the client's streamed request bodies both frame through this class.
 *
 * <p>Stateless and thread-safe; does no I/O.
 */
public final class ChunkedEncoder {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private ChunkedEncoder() {}

  /**
   * What goes before {@code size} bytes of data: the size in hex and CRLF.
   *
   * @throws IllegalArgumentException for a size below 1 (a zero-size chunk would end the body)
   */
  public static byte[] chunkStart(int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("a chunk holds at least one byte, got " + size);
    }
    int digits = (35 - Integer.numberOfLeadingZeros(size)) / 4;
    byte[] out = new byte[digits + 2];
    for (int i = digits - 1, rest = size; i >= 0; i--, rest >>>= 4) {
      out[i] = HEX[rest & 0xf];
    }
    out[digits] = '\r';
    out[digits + 1] = '\n';
    return out;
  }

  /** What goes after a chunk's data: CRLF (read-only; writers copy it). */
  public static ByteBuffer chunkEnd() {
    return ByteBuffer.wrap(CRLF).asReadOnlyBuffer();
  }

  /** The end of the body: the last chunk and no trailers (read-only; writers copy it). */
  public static ByteBuffer lastChunk() {
    return ByteBuffer.wrap(LAST_CHUNK).asReadOnlyBuffer();
  }

  /**
   * The end of the body with a trailer section (RFC 9112 §7.1.2): the last chunk, {@code trailers}
   * as field lines, the empty line. Names and values are checked as a head's are.
   *
   * @throws IllegalArgumentException for a name that is not a token or a value with a control
   */
  public static ByteBuffer lastChunk(dev.wharf.http.Headers trailers) {
    if (trailers.size() == 0) {
      return lastChunk();
    }
    byte[] out = new byte[3 + FieldLines.length(trailers) + 2];
    out[0] = '0';
    out[1] = '\r';
    out[2] = '\n';
    int at = FieldLines.put(out, 3, trailers);
    out[at++] = '\r';
    out[at] = '\n';
    return ByteBuffer.wrap(out);
  }
}
