package dev.wharf.http.h2.hpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The encoder's representations, policy and table size updates, checked by our decoder. */
class HpackEncoderTest {
  @Test
  void seededRandomListsRoundTripAndBothTablesAgree() {
    var random = new Random(13);
    var encoder = new HpackEncoder(4096);
    var decoder = new HpackDecoder(4096, Long.MAX_VALUE);
    String[] names = {":method", ":path", "accept", "x-a", "x-b", "cookie", "authorization", "age"};
    for (int block = 0; block < 500; block++) {
      var list = new ArrayList<HeaderField>();
      for (int i = random.nextInt(12); i > 0; i--) {
        String name = random.nextInt(4) == 0 ? "n" + random.nextInt(50) : names[random.nextInt(8)];
        list.add(new HeaderField(name, value(random)));
      }
      assertThat(decode(decoder, encoder.encode(list))).as("block %d", block).isEqualTo(list);
      assertThat(entries(decoder.table())).isEqualTo(entries(encoder.table()));
    }
  }

  @Test
  void aRepeatedListIsSentAsIndexesOnly() {
    var encoder = new HpackEncoder(4096);
    var list =
        List.of(
            new HeaderField(":status", "200"),
            new HeaderField("content-type", "text/html"),
            new HeaderField("server", "wharf"));
    encoder.encode(list);
    assertThat(Hex.encode(encoder.encode(list))).isEqualTo("88" + "bf" + "be");
  }

  @Test
  void staticEntriesGoAsIndexesAndStaticNamesAsNameIndexes() {
    var encoder = new HpackEncoder(4096);
    // RFC 7541 Appendix A: :status 200 is 8, :status 404 is 13 (the fifth of its name), age is 21.
    assertThat(Hex.encode(encoder.encode(List.of(new HeaderField(":status", "200")))))
        .isEqualTo("88");
    assertThat(Hex.encode(encoder.encode(List.of(new HeaderField(":status", "404")))))
        .isEqualTo("8d");
    assertThat(
            Hex.encode(
                encoder.encode(List.of(new HeaderField("accept-encoding", "gzip, deflate")))))
        .isEqualTo("90");
    // Not in the table: a literal with the name's first index (8), added to the dynamic table.
    assertThat(Hex.encode(encoder.encode(List.of(new HeaderField(":status", "418")))))
        .isEqualTo("48" + "03" + "343138");
    // §6.2.2: a literal without indexing, name index 21 past the 4-bit prefix (15 + 6).
    assertThat(Hex.encode(encoder.encode(List.of(new HeaderField("age", "1")))))
        .isEqualTo("0f06" + "0131");
  }

  @Test
  void sensitiveFieldsAreNeverIndexed() {
    var encoder = new HpackEncoder(4096);
    for (var field :
        List.of(
            new HeaderField("authorization", "Basic dXNlcjpwYXNz"),
            new HeaderField("proxy-authorization", "Basic eDp5"),
            new HeaderField("set-cookie", "id=a3fWa; Max-Age=2592000"),
            new HeaderField("cookie", "sid=31d4d96e407aad4"))) { // 19 chars: guessable
      byte[] block = encoder.encode(List.of(field));
      // RFC 7541 §6.2.3: 0001xxxx, the name by its static index.
      assertThat(block[0] & 0xF0).as(field.name()).isEqualTo(0x10);
      assertThat(block[0] & 0x0F).isEqualTo(0x0F);
      assertThat(decode(new HpackDecoder(4096, Long.MAX_VALUE), block)).containsExactly(field);
    }
    assertThat(encoder.table().length()).isZero();

    byte[] longCookie = encoder.encode(List.of(new HeaderField("cookie", "x".repeat(40))));
    assertThat(longCookie[0] & 0xC0).isEqualTo(0x40); // §6.2.1: indexed
    encoder.beginBlock();
    encoder.sensitiveField("x-api-key", "k");
    assertThat(encoder.endBlock().get(0)).isEqualTo((byte) 0x10); // a new name, never indexed
  }

  @Test
  void valuesThatSeldomRepeatAreNotIndexed() {
    var encoder = new HpackEncoder(4096);
    byte[] block = encoder.encode(List.of(new HeaderField("content-length", "1234")));
    assertThat(block[0] & 0xF0).isZero(); // §6.2.2
    assertThat(encoder.table().length()).isZero();
  }

  @Test
  void huffmanOnlyWhenShorter() {
    var encoder = new HpackEncoder(4096);
    byte[] text = encoder.encode(List.of(new HeaderField("x-a", "www.example.com")));
    assertThat(text[1]).isEqualTo((byte) 0x03); // the name "x-a" is 3 octets either way: raw
    assertThat(text[5] & 0x80).isEqualTo(0x80); // the value, 12 octets Huffman-coded of 15
    assertThat(text[5] & 0x7F).isEqualTo(12);
    byte[] binary = encoder.encode(List.of(new HeaderField("x-b", "\u00ff\u00fe\u00fd")));
    int valueLength = binary[binary.length - 4];
    assertThat(valueLength).isEqualTo(3); // raw: Huffman would take 9 octets
  }

  @Test
  void thePeersSmallerTableIsAnnouncedAtTheNextBlockAndObeyed() {
    var encoder = new HpackEncoder(4096);
    encoder.encode(List.of(new HeaderField("x-a", "1")));
    encoder.setPeerMaxTableSize(0);
    encoder.setPeerMaxTableSize(1000);
    byte[] block = encoder.encode(List.of(new HeaderField("x-a", "1")));
    // RFC 7541 §4.2: the smallest (0), then the final size (1000), then the fields.
    assertThat(Hex.encode(block)).startsWith("20" + "3fc907");
    assertThat(encoder.table().capacity()).isEqualTo(1000);

    var decoder = new HpackDecoder(4096, Long.MAX_VALUE);
    decoder.setMaxTableSize(1000);
    assertThat(decode(decoder, block)).containsExactly(new HeaderField("x-a", "1"));
    assertThat(decoder.table().capacity()).isEqualTo(1000);
  }

  @Test
  void ourOwnCapBoundsTheTableWhateverThePeerAllows() {
    var encoder = new HpackEncoder(256);
    encoder.setPeerMaxTableSize(65536);
    byte[] block = encoder.encode(List.of(new HeaderField("x-a", "1")));
    assertThat(Hex.encode(block)).startsWith("3fe101"); // size update to 256
    assertThat(encoder.table().capacity()).isEqualTo(256);

    var none = new HpackEncoder(0);
    byte[] plain = none.encode(List.of(new HeaderField("x-a", "1")));
    assertThat(plain[0]).isEqualTo((byte) 0x20); // size update to 0
    assertThat(none.table().length()).isZero();
  }

  @Test
  void theBufferIsReusedAcrossBlocks() {
    var encoder = new HpackEncoder(4096);
    encoder.beginBlock();
    encoder.field(":status", "200");
    ByteBuffer first = encoder.endBlock();
    assertThat(first.remaining()).isEqualTo(1);
    encoder.beginBlock();
    encoder.field(":status", "404");
    assertThat(encoder.endBlock().array()).isSameAs(first.array());
  }

  @Test
  void aCharThatIsNotAnOctetIsRefused() {
    var encoder = new HpackEncoder(4096);
    encoder.beginBlock();
    assertThatThrownBy(() -> encoder.field("x-a", "\u20ac"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String value(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> "";
      case 1 -> "v" + random.nextInt(20);
      case 2 -> "x".repeat(random.nextInt(3000)); // some larger than the table
      default -> {
        var s = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
          s.append((char) random.nextInt(256));
        }
        yield s.toString();
      }
    };
  }

  static List<HeaderField> decode(HpackDecoder decoder, byte[] block) {
    var sink = new RecordingSink();
    assertThat(decoder.decode(ByteBuffer.wrap(block), sink))
        .isEqualTo(HpackDecoder.Outcome.COMPLETE);
    return sink.fields;
  }

  private static List<String> entries(DynamicTable table) {
    var entries = new ArrayList<String>();
    for (int i = 0; i < table.length(); i++) {
      entries.add(table.name(i) + ": " + table.value(i));
    }
    return entries;
  }
}
