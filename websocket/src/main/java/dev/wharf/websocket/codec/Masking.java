package dev.wharf.websocket.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The XOR masking of RFC 6455 §5.3, eight bytes at a time. Masking and unmasking are the same
 * operation. Stateless and thread-safe.
 */
public final class Masking {
  private Masking() {}

  /**
   * XORs {@code buffer[from, to)} in place with the masking key, as if the range began at byte
   * {@code offset} of the frame's payload (so a payload split across reads unmasks piece by piece).
   *
   * @param key the four key bytes as a big-endian int, as they appear on the wire
   */
  public static void mask(ByteBuffer buffer, int from, int to, int key, long offset) {
    // Rotate the key so that its first byte is the one for payload byte `offset`.
    int k = Integer.rotateLeft(key, 8 * (int) (offset & 3));
    long wide = ((long) k << 32) | (k & 0xFFFFFFFFL);
    if (buffer.order() == ByteOrder.LITTLE_ENDIAN) {
      wide = Long.reverseBytes(wide);
    }
    int i = from;
    for (; i + 8 <= to; i += 8) {
      buffer.putLong(i, buffer.getLong(i) ^ wide);
    }
    // What is left starts on a multiple of 8 from `from`, so at key byte 0 again.
    for (int j = 0; i < to; i++, j++) {
      buffer.put(i, (byte) (buffer.get(i) ^ (k >>> (24 - 8 * (j & 3)))));
    }
  }

  /** As {@link #mask(ByteBuffer, int, int, int, long)} for an array. */
  public static void mask(byte[] bytes, int from, int to, int key, long offset) {
    mask(ByteBuffer.wrap(bytes), from, to, key, offset);
  }
}
