package dev.wharf.load.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SentMicrosScannerTest {
  private static final String DELIVERY =
      "{\"channel\":\"c10k\",\"epoch\":\"6a1f\",\"offset\":3,\"data\":{\"sentMicros\": 1764786900123456,\"n\":1}}";

  @Test
  void findsTheTimestampWhole() {
    assertThat(scanInPieces(DELIVERY, new int[] {DELIVERY.length()})).isEqualTo(1764786900123456L);
  }

  @Test
  void findsTheTimestampOneByteAtATime() {
    int[] ones = new int[DELIVERY.length()];
    java.util.Arrays.fill(ones, 1);
    assertThat(scanInPieces(DELIVERY, ones)).isEqualTo(1764786900123456L);
  }

  @Test
  void findsTheTimestampInSeededRandomPieces() {
    var random = new Random(16);
    for (int round = 0; round < 100; round++) {
      var pieces = new java.util.ArrayList<Integer>();
      int left = DELIVERY.length();
      while (left > 0) {
        int n = Math.min(left, 1 + random.nextInt(12));
        pieces.add(n);
        left -= n;
      }
      int[] sizes = pieces.stream().mapToInt(Integer::intValue).toArray();
      assertThat(scanInPieces(DELIVERY, sizes)).isEqualTo(1764786900123456L);
    }
  }

  @Test
  void aMessageWithoutTheKeyHasNone() {
    String text = "{\"id\":1,\"ok\":true,\"sentMicro\":5,\"\\\"sentMicros\":x}";
    assertThat(scanInPieces(text, new int[] {text.length()})).isEqualTo(-1);
  }

  @Test
  void aRepeatedQuoteBeforeTheKeyStillMatches() {
    String text = "{\"\"sentMicros\":42}";
    assertThat(scanInPieces(text, new int[] {text.length()})).isEqualTo(42);
  }

  @Test
  void resetForgetsTheLastMessage() {
    var scanner = new SentMicrosScanner();
    scanner.scan(ascii("{\"sentMicros\":7}"));
    scanner.reset();
    scanner.scan(ascii("{\"other\":8}"));
    assertThat(scanner.micros()).isEqualTo(-1);
  }

  private static long scanInPieces(String text, int[] sizes) {
    var scanner = new SentMicrosScanner();
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    int at = 0;
    for (int n : sizes) {
      ByteBuffer piece = ByteBuffer.wrap(bytes, at, n);
      scanner.scan(piece);
      assertThat(piece.position()).isEqualTo(at); // it leaves the position alone
      at += n;
    }
    return scanner.micros();
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }
}
