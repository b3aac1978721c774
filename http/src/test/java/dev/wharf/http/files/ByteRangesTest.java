package dev.wharf.http.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.http.files.ByteRanges.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteRangesTest {
  @Test
  void overlappingAndAdjacentRangesAreMergedInAscendingOrder() {
    assertThat(ByteRanges.parse("bytes=500-599,0-9,5-19,20-29", 1000))
        .contains(List.of(new Range(0, 29), new Range(500, 599)));
  }

  @Test
  void sixteenCopiesOfOneRangeAreOneRange() {
    String header = "bytes=" + String.join(",", java.util.Collections.nCopies(16, "0-9"));
    assertThat(ByteRanges.parse(header, 1000)).contains(List.of(new Range(0, 9)));
  }

  @Test
  void rangesAddingUpToMoreThanTheLengthAreIgnored() {
    assertThat(ByteRanges.parse("bytes=0-599,400-999", 1000)).isEmpty();
    // Exactly the length is fine (and, adjacent, one range).
    assertThat(ByteRanges.parse("bytes=0-499,-500", 1000)).contains(List.of(new Range(0, 999)));
  }

  @Test
  void moreThanSixteenRangesAreIgnored() {
    var specs = new java.util.StringJoiner(",", "bytes=", "");
    for (int i = 0; i < 17; i++) {
      specs.add(i * 10 + "-" + (i * 10 + 1));
    }
    assertThat(ByteRanges.parse(specs.toString(), 1000)).isEmpty();
  }

  @Test
  void unsatisfiableRangesLeaveAnEmptyList() {
    assertThat(ByteRanges.parse("bytes=2000-", 1000)).contains(List.of());
  }
}
