package dev.wharf.websocket.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Utf8ValidatorTest {

  private static boolean jdkSaysValid(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Random bytes biased towards UTF-8's interesting ones: leads, continuations, ASCII runs. */
  private static byte[] randomText(Random random) {
    byte[] pool = {
      'a',
      'b',
      0,
      0x7f,
      (byte) 0x80,
      (byte) 0xbf,
      (byte) 0xc0,
      (byte) 0xc2,
      (byte) 0xdf,
      (byte) 0xe0,
      (byte) 0xa0,
      (byte) 0xed,
      (byte) 0x9f,
      (byte) 0xef,
      (byte) 0xf0,
      (byte) 0x90,
      (byte) 0xf4,
      (byte) 0x8f,
      (byte) 0xf5,
      (byte) 0xff
    };
    byte[] bytes = new byte[random.nextInt(24)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] =
          random.nextInt(4) == 0 ? (byte) random.nextInt(256) : pool[random.nextInt(pool.length)];
    }
    return bytes;
  }

  @Test
  void agreesWithTheJdksStrictDecoderOnRandomInput() {
    var random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes = randomText(random);
      assertThat(Utf8Validator.isValid(bytes, 0, bytes.length))
          .as("%s", java.util.HexFormat.of().formatHex(bytes))
          .isEqualTo(jdkSaysValid(bytes));
    }
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void givesTheSameAnswerUnderEveryFeed(Feed feed) {
    var random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = randomText(random);
      var validator = new Utf8Validator();
      boolean[] ok = {true};
      feed.feed(bytes, piece -> ok[0] &= validator.validate(piece));
      assertThat(ok[0] && validator.isComplete()).isEqualTo(jdkSaysValid(bytes));
    }
  }

  @Test
  void failsAtTheFirstByteThatCannotContinue() {
    var validator = new Utf8Validator();
    assertThat(validator.validate(ByteBuffer.wrap("κόσμε".getBytes(StandardCharsets.UTF_8))))
        .isTrue();
    // A surrogate's lead: ED A0 is already invalid, before the sequence ends.
    assertThat(validator.validate(ByteBuffer.wrap(new byte[] {(byte) 0xed}))).isTrue();
    assertThat(validator.validate(ByteBuffer.wrap(new byte[] {(byte) 0xa0}))).isFalse();
    assertThat(validator.hasFailed()).isTrue();
  }

  @Test
  void longAsciiRunsAndTheirEdgesAreChecked() {
    byte[] text = ("x".repeat(37) + "é" + "y".repeat(19)).getBytes(StandardCharsets.UTF_8);
    assertThat(Utf8Validator.isValid(text, 0, text.length)).isTrue();
    text[37] = (byte) 0xff;
    assertThat(Utf8Validator.isValid(text, 0, text.length)).isFalse();
  }
}
