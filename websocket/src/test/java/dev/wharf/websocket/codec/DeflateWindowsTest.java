package dev.wharf.websocket.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.Feed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Windows under 15 bits (RFC 7692 §7.1.2) against a real zlib, Python's: what we compress for an
 * 8..15-bit window must inflate in a decompressor with only that window, and what zlib compresses
 * with one must inflate in ours. The messages repeat words from a 24 KiB vocabulary, so matches
 * reach back far enough to break any window smaller than the compressor's.
 */
class DeflateWindowsTest {
  private static final Path SCRIPT = Path.of("src/test/python/zlib_windows.py");
  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest(name = "{0} bits, context takeover {1}")
  @CsvSource({
    "8, true",
    "8, false",
    "9, true",
    "9, false",
    "10, true",
    "11, false",
    "12, true",
    "13, false",
    "14, true",
    "14, false",
    "15, true",
    "15, false"
  })
  void whatWeCompressForAWindowInflatesInZlibWithThatWindow(int bits, boolean takeover)
      throws Exception {
    List<byte[]> messages = messages(bits);
    var lines = new ArrayList<String>();
    try (var deflater = new MessageDeflater(6, !takeover, bits)) {
      for (byte[] message : messages) {
        ByteBuffer compressed = deflater.compress(ByteBuffer.wrap(message));
        byte[] wire = new byte[compressed.remaining()];
        compressed.get(wire);
        lines.add(HEX.formatHex(wire));
      }
    }
    List<String> inflated = python("inflate", bits, takeover, lines);
    assertThat(inflated).hasSize(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      assertThat(inflated.get(i)).as("message %d", i).doesNotStartWith("ERROR");
      assertThat(HEX.parseHex(inflated.get(i))).as("message %d", i).isEqualTo(messages.get(i));
    }
  }

  @ParameterizedTest(name = "{0} bits, context takeover {1}")
  @CsvSource({"9, true", "9, false", "10, false", "11, true", "12, false", "13, true", "14, true"})
  void whatZlibCompressesWithASmallWindowInflatesInOurs(int bits, boolean takeover)
      throws Exception {
    List<byte[]> messages = messages(bits);
    List<String> compressed =
        python("deflate", bits, takeover, messages.stream().map(HEX::formatHex).toList());
    assertThat(compressed).hasSize(messages.size());
    for (Feed feed : Feed.values()) {
      try (var inflater = new MessageInflater(!takeover, 1 << 20)) {
        for (int i = 0; i < messages.size(); i++) {
          assertThat(
                  PerMessageDeflateTest.inflate(
                      inflater, ByteBuffer.wrap(HEX.parseHex(compressed.get(i))), feed))
              .as("message %d, %s", i, feed)
              .isEqualTo(messages.get(i));
        }
      }
    }
  }

  @Test
  void smallWindowsUseTheSystemZlibHere() {
    // Debian always has libz.so.1; without it windows of 9..14 bits would be Huffman-coded only.
    assertThat(MessageDeflater.compressesSmallWindows()).isTrue();
  }

  @Test
  void closingTheDeflaterFreesZlibsMemory() {
    int before = MessageDeflater.openNativeDeflaters();
    var deflaters = new ArrayList<MessageDeflater>();
    for (int i = 0; i < 5; i++) {
      var deflater = new MessageDeflater(6, i % 2 == 0, 9 + i);
      deflater.compress(ByteBuffer.wrap("made on first use".getBytes(StandardCharsets.UTF_8)));
      deflaters.add(deflater);
    }
    assertThat(MessageDeflater.openNativeDeflaters()).isEqualTo(before + 5);
    deflaters.forEach(MessageDeflater::close);
    deflaters.forEach(MessageDeflater::close); // twice is harmless
    assertThat(MessageDeflater.openNativeDeflaters()).isEqualTo(before);
  }

  @Test
  void aSmallWindowCompressesFarLessThanTheFullOneOnlyWhenItMust() {
    byte[] repeated = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.US_ASCII);
    try (var nine = new MessageDeflater(6, true, 9);
        var eight = new MessageDeflater(6, true, 8)) {
      // A short period fits in any window: zlib at 9 bits still finds the matches...
      assertThat(nine.compress(ByteBuffer.wrap(repeated)).remaining()).isLessThan(2_000);
      // ... while 8 bits (which zlib's raw DEFLATE refuses) gets Huffman codes only.
      assertThat(eight.compress(ByteBuffer.wrap(repeated)).remaining())
          .isBetween(repeated.length / 3, repeated.length);
    }
  }

  /** Six messages of 2..20 KiB from one vocabulary, so matches reach across messages too. */
  private static List<byte[]> messages(long seed) {
    var random = new Random(seed);
    var words = new ArrayList<String>();
    for (int i = 0; i < 3000; i++) {
      var word = new StringBuilder();
      for (int j = 0; j < 7; j++) {
        word.append((char) ('a' + random.nextInt(26)));
      }
      words.add(word.append(' ').toString());
    }
    var messages = new ArrayList<byte[]>();
    for (int size : new int[] {2_000, 20_000, 5_000, 20_000, 300, 12_000}) {
      var text = new StringBuilder();
      while (text.length() < size) {
        text.append(words.get(random.nextInt(words.size())));
      }
      messages.add(text.toString().getBytes(StandardCharsets.US_ASCII));
    }
    return messages;
  }

  private static List<String> python(String mode, int bits, boolean takeover, List<String> input)
      throws IOException {
    Path in = Files.createTempFile("wharf-zlib-windows", ".in");
    try {
      Files.write(in, input);
      var python =
          ExternalProcess.command(
                  "/usr/bin/python3",
                  SCRIPT.toString(),
                  mode,
                  Integer.toString(bits),
                  takeover ? "takeover" : "fresh")
              .input(in)
              .run(Duration.ofSeconds(30));
      assertThat(python.exit()).as("python stderr: %s", python.err()).isZero();
      return python.out().lines().toList();
    } finally {
      Files.deleteIfExists(in);
    }
  }
}
