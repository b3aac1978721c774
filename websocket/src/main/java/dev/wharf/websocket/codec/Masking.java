package dev.wharf.websocket.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The XOR masking of RFC 6455 §5.3, eight bytes at a time. Masking and unmasking are the same
 * operation. Stateless and thread-safe.
 *
 * <p>The eight bytes are read and written as longs in the machine's own byte order, whatever the
 * buffer's order (a new {@link ByteBuffer}, the event loop's read buffer included, is big-endian,
 * and reading it as big-endian longs on a little-endian machine swaps the bytes of every long
 * twice); the key is laid out in that order instead, once per call.
 */
public final class Masking {
  private Masking() {}

  private static final VarHandle BUFFER_LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle ARRAY_LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  /**
   * XORs {@code buffer[from, to)} in place with the masking key, as if the range began at byte
   * {@code offset} of the frame's payload (so a payload split across reads unmasks piece by piece).
   * The buffer's position, limit and byte order are left as they are.
   *
   * @param key the four key bytes as a big-endian int, as they appear on the wire
   */
  public static void mask(ByteBuffer buffer, int from, int to, int key, long offset) {
    if (buffer.hasArray()) {
      int base = buffer.arrayOffset();
      mask(buffer.array(), base + from, base + to, key, offset);
      return;
    }
    int k = keyAt(key, offset);
    long wide = wide(k);
    int i = from;
    // Four longs a step: the JIT does not unroll this loop by itself, and this halves its time.
    for (; i + 32 <= to; i += 32) {
      BUFFER_LONGS.set(buffer, i, (long) BUFFER_LONGS.get(buffer, i) ^ wide);
      BUFFER_LONGS.set(buffer, i + 8, (long) BUFFER_LONGS.get(buffer, i + 8) ^ wide);
      BUFFER_LONGS.set(buffer, i + 16, (long) BUFFER_LONGS.get(buffer, i + 16) ^ wide);
      BUFFER_LONGS.set(buffer, i + 24, (long) BUFFER_LONGS.get(buffer, i + 24) ^ wide);
    }
    for (; i + 8 <= to; i += 8) {
      BUFFER_LONGS.set(buffer, i, (long) BUFFER_LONGS.get(buffer, i) ^ wide);
    }
    // What is left starts on a multiple of 8 from `from`, so at key byte 0 again.
    for (int j = 0; i < to; i++, j++) {
      buffer.put(i, (byte) (buffer.get(i) ^ (k >>> (24 - 8 * (j & 3)))));
    }
  }

  /** As {@link #mask(ByteBuffer, int, int, int, long)} for an array. */
  public static void mask(byte[] bytes, int from, int to, int key, long offset) {
    java.util.Objects.checkFromToIndex(from, to, bytes.length);
    int k = keyAt(key, offset);
    long wide = wide(k);
    int i = from;
    for (; i + 32 <= to; i += 32) {
      ARRAY_LONGS.set(bytes, i, (long) ARRAY_LONGS.get(bytes, i) ^ wide);
      ARRAY_LONGS.set(bytes, i + 8, (long) ARRAY_LONGS.get(bytes, i + 8) ^ wide);
      ARRAY_LONGS.set(bytes, i + 16, (long) ARRAY_LONGS.get(bytes, i + 16) ^ wide);
      ARRAY_LONGS.set(bytes, i + 24, (long) ARRAY_LONGS.get(bytes, i + 24) ^ wide);
    }
    for (; i + 8 <= to; i += 8) {
      ARRAY_LONGS.set(bytes, i, (long) ARRAY_LONGS.get(bytes, i) ^ wide);
    }
    for (int j = 0; i < to; i++, j++) {
      bytes[i] = (byte) (bytes[i] ^ (k >>> (24 - 8 * (j & 3))));
    }
  }

  /**
   * The key rotated so that its first (most significant) byte is the one for byte {@code offset}.
   */
  private static int keyAt(int key, long offset) {
    return Integer.rotateLeft(key, 8 * (int) (offset & 3));
  }

  /** Eight key bytes in wire order, as a native-order long read of them sees it. */
  private static long wide(int k) {
    long bigEndian = ((long) k << 32) | (k & 0xFFFFFFFFL);
    return LITTLE_ENDIAN ? Long.reverseBytes(bigEndian) : bigEndian;
  }
}
