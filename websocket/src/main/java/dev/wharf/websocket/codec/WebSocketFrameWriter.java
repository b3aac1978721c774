package dev.wharf.websocket.codec;

import java.nio.ByteBuffer;

/**
 * Writes WebSocket frame headers (RFC 6455 §5.2) with the minimal length encoding, and whole frames
 * for small payloads. A client masks every frame; a server none. Stateless and thread-safe.
 */
public final class WebSocketFrameWriter {
  private WebSocketFrameWriter() {}

  /** The longest header: 2 bytes, an 8-byte length and a 4-byte masking key. */
  public static final int MAX_HEADER_BYTES = 14;

  public static int headerLength(long payloadLength, boolean masked) {
    int n = payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    return masked ? n + 4 : n;
  }

  /**
   * Puts a frame header at the buffer's position and advances it.
   *
   * @param maskKey the masking key (written only when {@code masked})
   */
  public static void writeHeader(
      ByteBuffer out,
      int opcode,
      boolean fin,
      boolean rsv1,
      long payloadLength,
      boolean masked,
      int maskKey) {
    if (payloadLength < 0) {
      throw new IllegalArgumentException("negative payload length " + payloadLength);
    }
    out.put((byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0F)));
    int maskBit = masked ? 0x80 : 0;
    // RFC 6455 §5.2: the minimal number of bytes must be used to encode the length.
    if (payloadLength < 126) {
      out.put((byte) (maskBit | (int) payloadLength));
    } else if (payloadLength <= 0xFFFF) {
      out.put((byte) (maskBit | 126));
      out.putShort((short) payloadLength);
    } else {
      out.put((byte) (maskBit | 127));
      out.putLong(payloadLength);
    }
    if (masked) {
      out.putInt(maskKey);
    }
  }

  /**
   * A whole frame: header, then the payload's remaining bytes (masked with {@code maskKey} when
   * {@code masked}). The payload is not consumed.
   */
  public static byte[] encode(
      int opcode, boolean fin, boolean rsv1, ByteBuffer payload, boolean masked, int maskKey) {
    int n = payload.remaining();
    ByteBuffer out = ByteBuffer.allocate(headerLength(n, masked) + n);
    writeHeader(out, opcode, fin, rsv1, n, masked, maskKey);
    int start = out.position();
    out.put(payload.duplicate());
    if (masked) {
      Masking.mask(out, start, start + n, maskKey, 0);
    }
    return out.array();
  }
}
