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
