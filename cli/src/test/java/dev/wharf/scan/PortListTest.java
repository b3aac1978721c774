package dev.wharf.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PortListTest {

  @Test
  void listsAndRangesAreSortedWithoutDuplicates() {
    assertThat(PortList.parse("8080,22,80-82,81").ports()).containsExactly(22, 80, 81, 82, 8080);
  }

  @Test
  void openRangesRunToTheEnds() {
    assertThat(PortList.parse("-").size()).isEqualTo(65_535);
    assertThat(PortList.parse("-3").ports()).containsExactly(1, 2, 3);
    assertThat(PortList.parse("65534-").ports()).containsExactly(65_534, 65_535);
  }

  @Test
  void mistakesAreNamed() {
    assertThatThrownBy(() -> PortList.parse("0")).hasMessage("port 0 is out of range (1 to 65535)");
    assertThatThrownBy(() -> PortList.parse("70000"))
        .hasMessage("port 70000 is out of range (1 to 65535)");
    assertThatThrownBy(() -> PortList.parse("90-80"))
        .hasMessage("port range '90-80' runs backwards");
    assertThatThrownBy(() -> PortList.parse("22,,80"))
        .hasMessage("empty item in port list '22,,80'");
    assertThatThrownBy(() -> PortList.parse("ssh"))
        .hasMessage("'ssh' is not a port or a port range");
    assertThatThrownBy(() -> PortList.parse("1-2-3"))
        .hasMessage("'1-2-3' is not a port or a port range");
  }

  @Test
  void bannersArePrintable() {
    assertThat(
            BannerReader.printable(
                "SSH-2.0-x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .isEqualTo("SSH-2.0-x");
    assertThat(BannerReader.printable(new byte[] {'a', 0x1b, '[', (byte) 0xff}))
        .isEqualTo("a\\x1b[\\xff");
  }
}
