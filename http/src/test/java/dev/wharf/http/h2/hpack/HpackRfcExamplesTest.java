package dev.wharf.http.h2.hpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every example of RFC 7541 Appendix C, decoded in every {@link BlockForm}: the header lists, and
 * the dynamic table's entries (with their sizes) and total size after each block.
 */
class HpackRfcExamplesTest {
  private static final long NO_LIMIT = Long.MAX_VALUE;

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c1IntegersAsSizeUpdates(BlockForm form) {
    // C.1.1: 10 with a 5-bit prefix is one octet; C.1.2: 1337 takes three.
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    decode(decoder, form, "2a");
    assertThat(decoder.table().capacity()).isEqualTo(10);
    decode(decoder, form, "3f9a0a");
    assertThat(decoder.table().capacity()).isEqualTo(1337);

    var encoder = new HpackEncoder(4096);
    encoder.setPeerMaxTableSize(1337);
    encoder.beginBlock();
    assertThat(Hex.encode(bytes(encoder.endBlock()))).isEqualTo("3f9a0a");
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c1_3IntegerStartingAtAnOctetBoundaryAsAStringLength(BlockForm form) {
    // C.1.3 puts 42 in an 8-bit prefix, which HPACK's representations never use; a 7-bit string
    // length of 42 is the nearest: one octet, 0x2a.
    String value = "x".repeat(42);
    String block = "00" + "0161" + "2a" + "78".repeat(42); // literal, new name "a", raw value
    assertThat(decode(new HpackDecoder(4096, NO_LIMIT), form, block))
        .containsExactly(new HeaderField("a", value));
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c2_1LiteralWithIndexing(BlockForm form) {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    assertThat(
            decode(
                decoder, form, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"))
        .containsExactly(field("custom-key", "custom-header"));
    assertTable(decoder, 55, "custom-key: custom-header");
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c2_2LiteralWithoutIndexing(BlockForm form) {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    assertThat(decode(decoder, form, "040c 2f73 616d 706c 652f 7061 7468"))
        .containsExactly(field(":path", "/sample/path"));
    assertTable(decoder, 0);
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c2_3LiteralNeverIndexed(BlockForm form) {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    assertThat(decode(decoder, form, "1008 7061 7373 776f 7264 0673 6563 7265 74"))
        .containsExactly(field("password", "secret"));
    assertTable(decoder, 0);
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c2_4Indexed(BlockForm form) {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    assertThat(decode(decoder, form, "82")).containsExactly(field(":method", "GET"));
    assertTable(decoder, 0);
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c3RequestsWithoutHuffman(BlockForm form) {
    requests(
        form,
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65");
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c4RequestsWithHuffman(BlockForm form) {
    requests(
        form,
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c5ResponsesWithoutHuffman(BlockForm form) {
    responses(
        form,
        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a"
            + "3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "4803 3330 37c1 c0bf",
        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04"
            + "677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745"
            + "4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31");
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void c6ResponsesWithHuffman(BlockForm form) {
    responses(
        form,
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e"
            + "919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        "4883 640e ffc1 c0bf",
        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7"
            + "821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0"
            + "03ed 4ee5 b106 3d50 07");
  }

  /** C.3 and C.4: three requests on one connection, the table growing to 164 octets. */
  private static void requests(BlockForm form, String first, String second, String third) {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    assertThat(decode(decoder, form, first))
        .containsExactly(
            field(":method", "GET"),
            field(":scheme", "http"),
            field(":path", "/"),
            field(":authority", "www.example.com"));
    assertTable(decoder, 57, ":authority: www.example.com");

    assertThat(decode(decoder, form, second))
        .containsExactly(
            field(":method", "GET"),
            field(":scheme", "http"),
            field(":path", "/"),
            field(":authority", "www.example.com"),
            field("cache-control", "no-cache"));
    assertTable(decoder, 110, "cache-control: no-cache", ":authority: www.example.com");

    assertThat(decode(decoder, form, third))
        .containsExactly(
            field(":method", "GET"),
            field(":scheme", "https"),
            field(":path", "/index.html"),
            field(":authority", "www.example.com"),
            field("custom-key", "custom-value"));
    assertTable(
        decoder,
        164,
        "custom-key: custom-value",
        "cache-control: no-cache",
        ":authority: www.example.com");
  }

  /** C.5 and C.6: three responses with a 256-octet table, so entries are evicted. */
  private static void responses(BlockForm form, String first, String second, String third) {
    var decoder = new HpackDecoder(256, NO_LIMIT);
    assertThat(decode(decoder, form, first))
        .containsExactly(
            field(":status", "302"),
            field("cache-control", "private"),
            field("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            field("location", "https://www.example.com"));
    assertTable(
        decoder,
        222,
        "location: https://www.example.com",
        "date: Mon, 21 Oct 2013 20:13:21 GMT",
        "cache-control: private",
        ":status: 302");

    assertThat(decode(decoder, form, second))
        .containsExactly(
            field(":status", "307"),
            field("cache-control", "private"),
            field("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            field("location", "https://www.example.com"));
    assertTable(
        decoder,
        222,
        ":status: 307",
        "location: https://www.example.com",
        "date: Mon, 21 Oct 2013 20:13:21 GMT",
        "cache-control: private");

    assertThat(decode(decoder, form, third))
        .containsExactly(
            field(":status", "200"),
            field("cache-control", "private"),
            field("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
            field("location", "https://www.example.com"),
            field("content-encoding", "gzip"),
            field("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"));
    assertTable(
        decoder,
        215,
        "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
        "content-encoding: gzip",
        "date: Mon, 21 Oct 2013 20:13:22 GMT");
  }

  static List<HeaderField> decode(HpackDecoder decoder, BlockForm form, String hex) {
    var sink = new RecordingSink();
    ByteBuffer block = form.of(Hex.decode(hex));
    assertThat(decoder.decode(block, sink)).isEqualTo(HpackDecoder.Outcome.COMPLETE);
    assertThat(block.hasRemaining()).as("block consumed").isFalse();
    return sink.fields;
  }

  /** The table's entries, newest first, and its size (RFC 7541 §4.1: each entry counts 32 more). */
  static void assertTable(HpackDecoder decoder, long size, String... entries) {
    var table = decoder.table();
    var actual = new ArrayList<String>();
    long sum = 0;
    for (int i = 0; i < table.length(); i++) {
      actual.add(table.name(i) + ": " + table.value(i));
      sum += DynamicTable.entrySize(table.name(i), table.value(i));
    }
    assertThat(actual).containsExactly(entries);
    assertThat(table.size()).isEqualTo(size).isEqualTo(sum);
  }

  private static HeaderField field(String name, String value) {
    return new HeaderField(name, value);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    var out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
