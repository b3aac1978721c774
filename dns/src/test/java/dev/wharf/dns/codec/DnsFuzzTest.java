package dev.wharf.dns.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A corpus of malformed messages made by seeded mutations of valid ones: every truncation, every
 * single bit flipped, random octets overwritten, and compression pointers aimed at random offsets
 * (loops and forward pointers among them). For each, the reader must either parse it (and then the
 * result must survive a round trip) or throw {@link DnsFormatException}; any other exception fails.
 */
class DnsFuzzTest {
  private static final byte[] VALID = DnsMessageWriter.write(Samples.everyType());

  @Test
  void everyTruncationIsAClearErrorOrAValidMessage() {
    for (int length = 0; length < VALID.length; length++) {
      check(Arrays.copyOf(VALID, length), "truncated to " + length);
    }
  }

  @Test
  void everySingleBitFlipIsAClearErrorOrAValidMessage() {
    for (int bit = 0; bit < VALID.length * 8; bit++) {
      byte[] mutated = VALID.clone();
      mutated[bit / 8] ^= (byte) (1 << (bit % 8));
      check(mutated, "bit " + bit + " flipped");
    }
  }

  @Test
  void seededRandomOverwritesAreClearErrorsOrValidMessages() {
    var random = new Random(6891);
    for (int round = 0; round < 20_000; round++) {
      byte[] mutated = VALID.clone();
      for (int i = 1 + random.nextInt(8); i > 0; i--) {
        mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
      }
      check(mutated, "round " + round);
    }
  }

  @Test
  void pointersAimedAnywhereAreClearErrorsOrValidMessages() {
    var random = new Random(1035_414);
    for (int round = 0; round < 20_000; round++) {
      byte[] mutated = VALID.clone();
      int at = 12 + random.nextInt(mutated.length - 13);
      int target = random.nextInt(mutated.length + 16);
      mutated[at] = (byte) (0xc0 | (target >> 8));
      mutated[at + 1] = (byte) target;
      check(mutated, "round " + round + ": pointer at " + at + " to " + target);
    }
  }

  @Test
  void randomMessagesMutatedAreClearErrorsOrValidMessages() {
    var random = new Random(3597);
    for (int round = 0; round < 2_000; round++) {
      byte[] valid = DnsMessageWriter.write(DnsMessageRoundTripTest.randomMessage(random));
      byte[] mutated = Arrays.copyOf(valid, random.nextInt(valid.length + 1));
      if (mutated.length > 0) {
        mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
      }
      check(mutated, "round " + round);
    }
  }

  private static void check(byte[] input, String what) {
    Message message;
    try {
      message = DnsMessageReader.read(input);
    } catch (DnsFormatException expected) {
      assertThat(expected.getMessage()).as(what).isNotBlank();
      return;
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": " + e, e);
    }
    // What parsed is a message like any other: it encodes, and decodes to itself.
    assertThat(DnsMessageReader.read(DnsMessageWriter.write(message))).as(what).isEqualTo(message);
  }
}
