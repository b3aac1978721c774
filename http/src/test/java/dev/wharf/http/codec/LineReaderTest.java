package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  /** Bytes a word-at-a-time search could mistake for CR or LF: their neighbours and high twins. */
  private static final byte[] TRICKY = {
    0x0d, 0x0a, 0x0c, 0x0e, 0x0b, 0x09, 0x00, 0x01, (byte) 0x8d, (byte) 0x8a, (byte) 0xff, 0x7f, 'a'
  };

  @Test
  void findsTheFirstCrOrLfAsAByteByByteSearchDoesInEveryBufferKind() {
    var random = new Random(2026);
    for (int round = 0; round < 20_000; round++) {
      byte[] data = new byte[random.nextInt(40)];
      for (int i = 0; i < data.length; i++) {
        data[i] = random.nextInt(4) == 0 ? TRICKY[random.nextInt(TRICKY.length)] : (byte) 'x';
      }
      int from = data.length == 0 ? 0 : random.nextInt(data.length);
      int to = from + random.nextInt(data.length - from + 1);
      for (ByteBuffer buffer : kinds(data)) {
        assertThat(LineReader.indexOfCrOrLf(buffer, from, to))
            .as("%s in [%d, %d) of %s", buffer, from, to, java.util.Arrays.toString(data))
            .isEqualTo(naiveIndexOf(data, from, to));
      }
    }
  }

  @Test
  void readsLinesSplitAnywhereAndLeavesTheRestInTheInput() {
    byte[] text =
        "GET /a HTTP/1.1\r\nHost: example.com\r\n\r\nNEXT".getBytes(StandardCharsets.US_ASCII);
    for (ByteBuffer whole : kinds(text)) {
      var reader = new LineReader(1024);
      assertThat(reader.read(whole, 100)).isTrue();
      assertThat(line(reader)).isEqualTo("GET /a HTTP/1.1");
      reader.reset();
      for (int split = 0; split <= whole.remaining(); split++) {
        // The second line, split at every point.
        var again = new LineReader(1024);
        ByteBuffer input = whole.duplicate().order(whole.order());
        ByteBuffer first = input.duplicate().order(input.order()).limit(input.position() + split);
        boolean done = again.read(first, 100);
        input.position(first.position());
        if (!done) {
          assertThat(again.read(input, 100)).isTrue();
        }
        assertThat(line(again)).isEqualTo("Host: example.com");
        assertThat(input.position()).isEqualTo(36);
      }
    }
  }

  @Test
  void aLineOneBytePastItsLimitOverflowsAndOneAtTheLimitDoesNot() {
    var reader = new LineReader(1024);
    assertThat(reader.read(ascii("12345678901\r\n"), 11)).isTrue();
    assertThat(line(reader)).isEqualTo("12345678901");
    var over = new LineReader(1024);
    assertThat(over.read(ascii("123456789012\r\n"), 11)).isFalse();
    assertThat(over.overflowed()).isTrue();
  }

  @Test
  void bareLfEndsALineOnlyWhereAllowedAndBareCrNever() {
    var lenient = new LineReader(1024);
    assertThat(lenient.read(ascii("Host: x\nrest"), 100, true)).isTrue();
    assertThat(line(lenient)).isEqualTo("Host: x");
    assertThatThrownBy(() -> new LineReader(1024).read(ascii("Host: x\nrest"), 100))
        .isInstanceOf(MessageParseException.class);
    assertThatThrownBy(() -> new LineReader(1024).read(ascii("Host: x\rrest"), 100, true))
        .isInstanceOf(MessageParseException.class);
  }

  private static ByteBuffer[] kinds(byte[] data) {
    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
    ByteBuffer directLittle =
        ByteBuffer.allocateDirect(data.length).order(ByteOrder.LITTLE_ENDIAN).put(data).flip();
    // A slice at an odd offset: the longs it reads are unaligned.
    byte[] padded = new byte[data.length + 3];
    System.arraycopy(data, 0, padded, 3, data.length);
    ByteBuffer heapSlice = ByteBuffer.wrap(padded, 3, data.length).slice();
    return new ByteBuffer[] {
      ByteBuffer.wrap(data),
      ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN),
      direct,
      directLittle,
      heapSlice
    };
  }

  private static int naiveIndexOf(byte[] data, int from, int to) {
    for (int i = from; i < to; i++) {
      if (data[i] == '\r' || data[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String line(LineReader reader) {
    return new String(reader.bytes(), 0, reader.length(), StandardCharsets.US_ASCII);
  }
}
