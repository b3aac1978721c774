package dev.wharf.websocket.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskingTest {

  private static byte[] naive(byte[] data, int from, int to, int key, long offset) {
    byte[] out = data.clone();
    for (int i = from; i < to; i++) {
      int k = (key >>> (24 - 8 * (int) ((offset + i - from) & 3))) & 0xFF;
      out[i] = (byte) (out[i] ^ k);
    }
    return out;
  }

  @Test
  void wideMaskingMatchesByteByByteForAnyRangeOffsetAndByteOrder() {
    var random = new Random(42);
    for (int round = 0; round < 2000; round++) {
      byte[] data = new byte[random.nextInt(80)];
      random.nextBytes(data);
      int from = data.length == 0 ? 0 : random.nextInt(data.length);
      int to = from + random.nextInt(data.length - from + 1);
      int key = random.nextInt();
      long offset = random.nextInt(1000);
      byte[] expected = naive(data, from, to, key, offset);
      for (boolean direct : new boolean[] {false, true}) {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
          ByteBuffer buffer =
              (direct ? ByteBuffer.allocateDirect(data.length) : ByteBuffer.allocate(data.length))
                  .order(order);
          buffer.put(0, data);
          Masking.mask(buffer, from, to, key, offset);
          byte[] actual = new byte[data.length];
          buffer.get(0, actual);
          assertThat(actual).isEqualTo(expected);
        }
      }
    }
  }

  /**
   * Every length 0..200 at every start 0..15 (so every alignment of the eight-byte steps and every
   * length of the byte tail), in every key phase, in an array, in heap buffers (one a slice, whose
   * array begins before its content), in direct buffers of both byte orders and in a direct slice.
   */
  @Test
  void everyLengthStartAndKeyPhaseMatchesTheByteByByteReference() {
    var random = new Random(6455);
    int key = 0x9E3779B9;
    long[] offsets = {0, 1, 2, 3, 4, 5, 6, 7, 1L << 33, (1L << 33) + 3};
    for (int length = 0; length <= 200; length++) {
      for (int from = 0; from <= 15; from++) {
        byte[] data = new byte[from + length + 9]; // bytes after the range must stay as they are
        random.nextBytes(data);
        int to = from + length;
        for (long offset : offsets) {
          byte[] expected = naive(data, from, to, key, offset);
          String where = "length " + length + ", from " + from + ", offset " + offset;

          byte[] array = data.clone();
          Masking.mask(array, from, to, key, offset);
          assertThat(array).as("array, " + where).isEqualTo(expected);

          for (ByteBuffer buffer : buffersHolding(data)) {
            int base = buffer.position();
            ByteBuffer view = buffer.slice();
            Masking.mask(view, from, to, key, offset);
            byte[] actual = new byte[data.length];
            view.get(0, actual);
            assertThat(actual).as(describe(buffer) + ", " + where).isEqualTo(expected);
            assertThat(buffer.position()).isEqualTo(base);
          }
        }
      }
    }
  }

  /** The data in buffers of each kind, each positioned where the data starts. */
  private static ByteBuffer[] buffersHolding(byte[] data) {
    int n = data.length;
    return new ByteBuffer[] {
      ByteBuffer.allocate(n).put(0, data),
      ByteBuffer.allocate(n + 5).put(5, data).position(5), // sliced: arrayOffset 5
      ByteBuffer.allocateDirect(n).put(0, data),
      ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN).put(0, data),
      ByteBuffer.allocateDirect(n + 3).put(3, data).position(3), // sliced: address not aligned
    };
  }

  private static String describe(ByteBuffer b) {
    return (b.isDirect() ? "direct " : "heap ") + b.order() + " at " + b.position();
  }

  @Test
  void theBufferKeepsItsPositionLimitAndOrder() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(64).position(3).limit(40);
    Masking.mask(buffer, 0, 40, 0x01020304, 0);
    assertThat(buffer.position()).isEqualTo(3);
    assertThat(buffer.limit()).isEqualTo(40);
    assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
  }

  @Test
  void maskingTwiceRestoresThePayload() {
    byte[] data = "Hello, masked world!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] copy = data.clone();
    Masking.mask(copy, 0, copy.length, 0x37FA213D, 0);
    assertThat(copy).isNotEqualTo(data);
    Masking.mask(copy, 0, copy.length, 0x37FA213D, 0);
    assertThat(copy).isEqualTo(data);
  }

  @Test
  void rfc6455MaskedHelloExample() {
    // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d is 7f 9f 4d 51 58.
    byte[] hello = {'H', 'e', 'l', 'l', 'o'};
    Masking.mask(hello, 0, 5, 0x37FA213D, 0);
    assertThat(hello).containsExactly(0x7f, 0x9f, 0x4d, 0x51, 0x58);
  }
}
