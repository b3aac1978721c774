package dev.wharf.http.h2.hpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Huffman code of RFC 7541 §5.2 and Appendix B, both ways. */
class HuffmanTest {
  @Test
  void everyOctetRoundTripsAlone() {
    for (int octet = 0; octet < 256; octet++) {
      String s = String.valueOf((char) octet);
      assertThat(roundTrip(s)).as("octet %d", octet).isEqualTo(s);
    }
  }

  @Test
  void allOctetsRoundTripInOneString() {
    var all = new StringBuilder();
    for (int octet = 255; octet >= 0; octet--) {
      all.append((char) octet);
    }
    assertThat(roundTrip(all.toString())).isEqualTo(all.toString());
  }

  @Test
  void seededRandomStringsRoundTrip() {
    var random = new Random(7541);
    for (int round = 0; round < 2000; round++) {
      var s = new StringBuilder();
      int length = random.nextInt(300);
      boolean text = random.nextBoolean(); // header-like text, or any octet at all
      for (int i = 0; i < length; i++) {
        s.append((char) (text ? 0x20 + random.nextInt(0x5f) : random.nextInt(256)));
      }
      assertThat(roundTrip(s.toString())).as("round %d", round).isEqualTo(s.toString());
    }
  }

  @Test
  void encodesAsTheRfcExamplesDo() {
    // RFC 7541 C.4.1 and C.6.1.
    assertThat(encode("www.example.com")).isEqualTo("f1e3c2e5f23a6ba0ab90f4ff");
    assertThat(encode("no-cache")).isEqualTo("a8eb10649cbf");
    assertThat(encode("302")).isEqualTo("6402");
    assertThat(encode("")).isEmpty();
  }

  @Test
  void lengthIsWhatEncodingWrites() {
    for (String s : new String[] {"", "a", "custom-key", "\u00ff\u00fe\u0000", "x".repeat(1000)}) {
      assertThat(encode(s)).hasSize(2 * Huffman.encodedLength(s));
    }
  }

  @Test
  void aCharThatIsNotAnOctetIsAnError() {
    assertThatThrownBy(() -> Huffman.encodedLength("caf\u00e9\u0100"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("char U+100 at 4 is not an octet");
  }

  private static String roundTrip(String s) {
    var encoded = new byte[Huffman.encodedLength(s)];
    assertThat(Huffman.encode(s, encoded, 0)).isEqualTo(encoded.length);
    var decoded = new byte[encoded.length * 8 / 5 + 1];
    int n = Huffman.decode(ByteBuffer.wrap(encoded), 0, encoded.length, decoded);
    return new String(decoded, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static String encode(String s) {
    var encoded = new byte[Huffman.encodedLength(s)];
    Huffman.encode(s, encoded, 0);
    return Hex.encode(encoded);
  }
}
