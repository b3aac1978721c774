package dev.wharf.cli.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stdin's bytes cut into the lines {@code wharf ws} sends as text messages. */
class LineSplitterTest {

  private static List<String> split(int maxLineBytes, String... chunks) throws Exception {
    var splitter = new LineSplitter(maxLineBytes);
    var lines = new ArrayList<String>();
    for (String chunk : chunks) {
      splitter.feed(chunk.getBytes(StandardCharsets.UTF_8), lines::add);
    }
    splitter.finish(lines::add);
    return lines;
  }

  @Test
  void linesLoseTheirNewlineAndCarriageReturn() throws Exception {
    assertThat(split(100, "one\ntwo\r\n\nthree")).containsExactly("one", "two", "", "three");
  }

  @Test
  void aLineMayComeInManyChunks() throws Exception {
    assertThat(split(100, "he", "llo wo", "rld\nb", "ye\n")).containsExactly("hello world", "bye");
  }

  @Test
  void nothingAfterTheLastNewlineMeansNoLastLine() throws Exception {
    assertThat(split(100, "a\n")).containsExactly("a");
    assertThat(split(100)).isEmpty();
  }

  @Test
  void aLongLineGoesInPiecesOfTheLimit() throws Exception {
    assertThat(split(4, "abcdefghij\nk")).containsExactly("abcd", "efgh", "ij", "k");
  }

  @Test
  void piecesAreCutBetweenCharactersNeverInsideOne() throws Exception {
    // "aé" is 3 bytes and "€" 3 more: a 4-byte limit must not split the euro sign.
    assertThat(split(4, "aé€€\n")).containsExactly("aé", "€", "€");
    // Fed one byte at a time, the same.
    byte[] bytes = "x😀y😀\n".getBytes(StandardCharsets.UTF_8);
    var splitter = new LineSplitter(5);
    var lines = new ArrayList<String>();
    for (byte b : bytes) {
      splitter.feed(new byte[] {b}, lines::add);
    }
    assertThat(String.join("", lines)).isEqualTo("x😀y😀");
    assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain("\uFFFD"));
  }

  @Test
  void bytesThatAreNotUtf8BecomeReplacementCharacters() throws Exception {
    var splitter = new LineSplitter(100);
    var lines = new ArrayList<String>();
    splitter.feed(new byte[] {'a', (byte) 0xFF, 'b', '\n'}, lines::add);
    assertThat(lines).containsExactly("a\uFFFDb");
  }
}
