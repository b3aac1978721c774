package dev.wharf.http.h2.hpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.h2.hpack.HpackDecoder.Outcome;
import dev.wharf.http.h2.hpack.HpackException.Reason;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decoder against malformed blocks (each rejected with its own reason, RFC section in the
 * name), its table limits, and the header list bound that defeats the HPACK bomb.
 */
class HpackDecoderTest {
  private static final long NO_LIMIT = Long.MAX_VALUE;

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    // §5.1 integers
    "TRUNCATED, 7f, an indexed field whose integer needs a continuation octet that is missing",
    "TRUNCATED, ff80, an integer whose continuation says more follows and nothing does",
    "INTEGER_OVERFLOW, ffffffffff0f, an integer past 2^31 - 1",
    "INTEGER_OVERFLOW, ff8080808080808000, an integer padded with zero continuation octets",
    // §6.1, §2.3.3 indexes
    "INDEX_OUT_OF_RANGE, 80, index 0",
    "INDEX_OUT_OF_RANGE, be, index 62 with an empty dynamic table",
    "INDEX_OUT_OF_RANGE, 7e0161, a literal naming index 62 with an empty dynamic table",
    "INDEX_OUT_OF_RANGE, ff8001, index 255",
    // §5.2 strings
    "TRUNCATED, 400561, a name literal of 5 octets with 1 left",
    "TRUNCATED, 4001, a name literal of 1 octet with none left",
    "TRUNCATED, 400161, a field whose value is missing",
    "TRUNCATED, 04, a literal with an indexed name and no value",
    "HUFFMAN_EOS, 4084ffffffff0161, a Huffman name holding EOS (30 one bits)",
    "HUFFMAN_EOS, 0484fffffffe, a Huffman value holding EOS",
    "HUFFMAN_PADDING, 04821fff, a Huffman value padded with 11 one bits",
    "HUFFMAN_PADDING, 048118, a Huffman value padded with zeros",
    "HUFFMAN_PADDING, 0481ff, a Huffman value of padding only, 8 bits",
    // §4.2, §6.3 size updates
    "SIZE_UPDATE_TOO_LARGE, 3fe21f, a size update to 4097 over our 4096",
    "SIZE_UPDATE_MISPLACED, 8220, a size update after the first field",
    "SIZE_UPDATE_MISPLACED, 04016120, a size update after a literal field",
  })
  void malformedBlocksAreCompressionErrors(Reason reason, String hex, String what) {
    for (BlockForm form : BlockForm.values()) {
      var decoder = new HpackDecoder(4096, NO_LIMIT);
      assertThatThrownBy(() -> decoder.decode(form.of(Hex.decode(hex)), new RecordingSink()))
          .as(what)
          .isInstanceOfSatisfying(
              HpackException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(reason);
                assertThat(e.errorCode()).isEqualTo(HpackException.COMPRESSION_ERROR);
              });
      // The tables may now differ from the peer's: the decoder takes nothing more.
      assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(Hex.decode("82")), (n, v) -> {}))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void messagesSayWhatWasExpectedAndWhatWasSeen() {
    assertThatThrownBy(() -> decode(new HpackDecoder(4096, NO_LIMIT), "3fe21f"))
        .hasMessage("dynamic table size update to 4097 exceeds the limit 4096");
    assertThatThrownBy(() -> decode(new HpackDecoder(4096, NO_LIMIT), "c0"))
        .hasMessage("index 64 is past the tables (61 static, 0 dynamic entries)");
    assertThatThrownBy(() -> decode(new HpackDecoder(4096, NO_LIMIT), "400561"))
        .hasMessage("header block ends inside a string literal of 5 octets (1 left)");
  }

  @Test
  void sizeUpdatesAtTheStartMayComeTwiceAndEmptyTheTable() {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    decode(decoder, "400161016240016301644001650166"); // a: b, c: d, e: f
    assertThat(decoder.table().length()).isEqualTo(3);
    // RFC 7541 §4.2: the smallest size, then the final one; both before the first field.
    assertThat(decode(decoder, "203fe11f82")).containsExactly(new HeaderField(":method", "GET"));
    assertThat(decoder.table().length()).isZero();
    assertThat(decoder.table().capacity()).isEqualTo(4096);
  }

  @Test
  void aLoweredLimitRequiresASizeUpdateAtTheStartOfTheNextBlock() {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    decoder.setMaxTableSize(100);
    assertThatThrownBy(() -> decode(decoder, "82"))
        .isInstanceOfSatisfying(
            HpackException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.SIZE_UPDATE_MISSING));

    var obeyed = new HpackDecoder(4096, NO_LIMIT);
    obeyed.setMaxTableSize(100);
    assertThat(decode(obeyed, "3f4582")).hasSize(1); // size update to 100, then :method GET
    assertThat(obeyed.table().capacity()).isEqualTo(100);
    assertThatThrownBy(() -> decode(obeyed, "3f46")) // 101, over the new limit
        .isInstanceOfSatisfying(
            HpackException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.SIZE_UPDATE_TOO_LARGE));
  }

  @Test
  void aRaisedLimitNeedsNoSizeUpdate() {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    decoder.setMaxTableSize(8192);
    assertThat(decode(decoder, "82")).hasSize(1);
    assertThat(decode(decoder, "3fe13f")).isEmpty(); // 8192
    assertThat(decoder.table().capacity()).isEqualTo(8192);
  }

  @Test
  void anEntryLargerThanTheTableEmptiesIt() {
    var decoder = new HpackDecoder(64, NO_LIMIT);
    decode(decoder, "4001610162"); // a: b, 34 octets
    String big = "x".repeat(40); // 1 + 40 + 32 > 64
    var sink = decode(decoder, "400178" + "28" + "78".repeat(40));
    assertThat(sink).containsExactly(new HeaderField("x", big)); // RFC 7541 §4.4: not an error
    assertThat(decoder.table().length()).isZero();
    assertThat(decoder.table().size()).isZero();
  }

  @Test
  void octetsOutsideAsciiSurviveAsLatin1Chars() {
    var fields = decode(new HpackDecoder(4096, NO_LIMIT), "000178" + "03" + "80ff00");
    assertThat(fields).containsExactly(new HeaderField("x", "\u0080\u00ff\u0000"));
  }

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void aListOverItsLimitIsTooLargeNotACompressionErrorAndTheTableStaysInStep(BlockForm form) {
    // Limit 100: ":method GET" (42) fits, "aaaa..." (80 + 32) does not.
    var decoder = new HpackDecoder(4096, 100);
    var sink = new RecordingSink();
    String value = "v".repeat(79);
    String block =
        "82" // :method GET, 42
            + "4001614f" // a: <79 v>, indexed, 112: the list is now over
            + "76".repeat(79)
            + "400162" // b: c, indexed: still added to the table
            + "0163"
            + "0001640165"; // d: e, not indexed: skipped
    Outcome outcome = decoder.decode(form.of(Hex.decode(block)), sink);
    assertThat(outcome).isEqualTo(Outcome.HEADER_LIST_TOO_LARGE);
    assertThat(sink.fields).containsExactly(new HeaderField(":method", "GET"));
    HpackRfcExamplesTest.assertTable(decoder, 34 + 112, "b: c", "a: " + value);

    // The next block refers to both entries and decodes in full: the tables agree.
    var next = new RecordingSink();
    assertThat(decoder.decode(form.of(Hex.decode("be")), next)).isEqualTo(Outcome.COMPLETE);
    assertThat(next.fields).containsExactly(new HeaderField("b", "c"));
  }

  @Test
  void theHpackBombStopsAtTheListLimitWithoutExpandingTheList() throws Exception {
    // One 4000-octet entry, then a block of 200 000 one-octet references to it: 800 MB of header
    // list from a 200 kB block. With a 16 KiB limit the sink hears four, and the rest is parsed
    // in place.
    var decoder = new HpackDecoder(4096, 16384);
    String big = "a".repeat(4000);
    decode(decoder, "400178" + "7fa11e" + "61".repeat(4000)); // x: 4000 a's (7-bit 127 + 3873)
    assertThat(decoder.table().value(0)).isEqualTo(big);

    byte[] bomb = new byte[200_000];
    java.util.Arrays.fill(bomb, (byte) 0xBE);
    var calls = new int[1];
    HeaderSink counting = (name, value) -> calls[0]++;
    var block = ByteBuffer.wrap(bomb);
    decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0xBE}), counting); // warm up
    calls[0] = 0;

    long before = allocatedBytes();
    Outcome outcome = decoder.decode(block, counting);
    long allocated = allocatedBytes() - before;

    assertThat(outcome).isEqualTo(Outcome.HEADER_LIST_TOO_LARGE);
    assertThat(calls[0]).isEqualTo(16384 / (1 + 4000 + 32));
    assertThat(block.hasRemaining()).isFalse();
    assertThat(allocated).as("bytes allocated decoding the bomb").isLessThan(64 * 1024);
  }

  @Test
  void aStringPastTheListLimitIsParsedOverNotDecoded() throws Exception {
    // A 1 MB value, raw and Huffman-coded, each in a literal the table would not keep (and one it
    // would, but cannot: larger than the table). None is decoded nor allocated.
    String huge = "a".repeat(1 << 20);
    var huffman = new byte[Huffman.encodedLength(huge)];
    Huffman.encode(huge, huffman, 0);
    var block = new java.io.ByteArrayOutputStream();
    block.writeBytes(Hex.decode("82")); // :method GET, within the limit
    for (int pattern : new int[] {0x00, 0x10, 0x40}) {
      block.write(pattern); // a new name: "x"
      block.writeBytes(Hex.decode("0178"));
      block.writeBytes(stringHeader(false, huge.length()));
      block.writeBytes(huge.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      block.write(pattern);
      block.writeBytes(Hex.decode("0178"));
      block.writeBytes(stringHeader(true, huffman.length));
      block.writeBytes(huffman);
    }
    var decoder = new HpackDecoder(4096, 16384);
    decode(decoder, "4001610162"); // a: b, so the table has something to lose
    var buffer = ByteBuffer.wrap(block.toByteArray());
    var sink = new RecordingSink();

    long before = allocatedBytes();
    Outcome outcome = decoder.decode(buffer, sink);
    long allocated = allocatedBytes() - before;

    assertThat(outcome).isEqualTo(Outcome.HEADER_LIST_TOO_LARGE);
    assertThat(sink.fields).containsExactly(new HeaderField(":method", "GET"));
    assertThat(decoder.table().length()).isZero(); // §4.4: the too-large entry emptied it
    assertThat(allocated).as("bytes allocated decoding 6 MB of strings").isLessThan(64 * 1024);
  }

  /** RFC 7541 §5.2: the H bit and a 7-bit-prefix length. */
  private static byte[] stringHeader(boolean huffman, int length) {
    var out = new java.io.ByteArrayOutputStream();
    int h = huffman ? 0x80 : 0;
    if (length < 127) {
      out.write(h | length);
      return out.toByteArray();
    }
    out.write(h | 127);
    int rest = length - 127;
    while (rest >= 128) {
      out.write((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.write(rest);
    return out.toByteArray();
  }

  @Test
  void theSinkSeesPseudoFieldsAndUppercaseNamesAsSentForHttp2ToJudge() {
    // HPACK carries names as given; RFC 9113 §8.2.1 is the connection's check, in its sink.
    var fields = decode(new HpackDecoder(4096, NO_LIMIT), "8200015801598400015a00");
    assertThat(fields)
        .containsExactly(
            new HeaderField(":method", "GET"),
            new HeaderField("X", "Y"),
            new HeaderField(":path", "/"),
            new HeaderField("Z", ""));
  }

  @Test
  void aSinkThatThrowsLeavesTheDecoderFailed() {
    var decoder = new HpackDecoder(4096, NO_LIMIT);
    assertThatThrownBy(
            () ->
                decoder.decode(
                    ByteBuffer.wrap(Hex.decode("82")),
                    (n, v) -> {
                      throw new IllegalArgumentException("no");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> decode(decoder, "82")).isInstanceOf(IllegalStateException.class);
  }

  private static java.util.List<HeaderField> decode(HpackDecoder decoder, String hex) {
    var sink = new RecordingSink();
    assertThat(decoder.decode(ByteBuffer.wrap(Hex.decode(hex)), sink)).isEqualTo(Outcome.COMPLETE);
    return sink.fields;
  }

  /**
   * This thread's allocated bytes, from the JDK's thread bean, reached reflectively: the module
   * dev.wharf.http, which these tests are patched into, does not read java.management.
   */
  private static long allocatedBytes() throws ReflectiveOperationException {
    Object bean =
        Class.forName("java.lang.management.ManagementFactory")
            .getMethod("getThreadMXBean")
            .invoke(null);
    return (long)
        Class.forName("com.sun.management.ThreadMXBean")
            .getMethod("getCurrentThreadAllocatedBytes")
            .invoke(bean);
  }
}
