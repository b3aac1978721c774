package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizeTest {
  @Test
  void readsSizesAsPeopleWriteThem() {
    assertThat(ByteSize.parse("512")).isEqualTo(512);
    assertThat(ByteSize.parse("64K")).isEqualTo(64 * 1024);
    assertThat(ByteSize.parse("10MiB")).isEqualTo(10L << 20);
    assertThat(ByteSize.parse("2g")).isEqualTo(2L << 30);
    assertThat(ByteSize.parse("1 TiB")).isEqualTo(1L << 40);
  }

  @Test
  void refusesNonsenseInOneLine() {
    assertThatThrownBy(() -> ByteSize.parse("lots"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("not a size: 'lots' (try 100M or 2G)");
    assertThatThrownBy(() -> ByteSize.parse("-1")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> ByteSize.parse("99999999999T"))
        .isInstanceOf(TypeConversionException.class);
  }

  @Test
  void formatsInPowersOf1024() {
    assertThat(ByteSize.format(1000)).isEqualTo("1000 B");
    assertThat(ByteSize.format(1536)).isEqualTo("1.5 KiB");
    assertThat(ByteSize.format(1L << 30)).isEqualTo("1.0 GiB");
  }
}
