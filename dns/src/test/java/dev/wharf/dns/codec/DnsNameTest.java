package dev.wharf.dns.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DnsNameTest {

  @Test
  void namesAreAbsoluteAndCompareIgnoringCase() {
    assertThat(DnsName.parse("WWW.Example.test").toString()).isEqualTo("WWW.Example.test.");
    assertThat(DnsName.parse("www.example.test.")).isEqualTo(DnsName.parse("WWW.EXAMPLE.TEST"));
    assertThat(DnsName.parse("www.example.test").hashCode())
        .isEqualTo(DnsName.parse("WWW.EXAMPLE.TEST").hashCode());
    assertThat(DnsName.parse(".")).isEqualTo(DnsName.ROOT);
    assertThat(DnsName.ROOT.toString()).isEqualTo(".");
  }

  @Test
  void escapesReadAndPrintAsInZoneFiles() {
    DnsName name = DnsName.parse("a\\.b\\032c\\255.test");
    assertThat(name.labelCount()).isEqualTo(2);
    assertThat(name.label(0)).containsExactly('a', '.', 'b', ' ', 'c', (byte) 255);
    assertThat(name.toString()).isEqualTo("a\\.b\\032c\\255.test.");
  }

  @Test
  void labelAndNameLimitsAreRfc1035s() {
    assertThatThrownBy(() -> DnsName.parse("a".repeat(64) + ".test"))
        .hasMessageContaining("1 to 63 octets");
    String label = "a".repeat(63) + ".";
    assertThatThrownBy(() -> DnsName.parse(label.repeat(4)))
        .hasMessageContaining("at most 255 octets");
    assertThatThrownBy(() -> DnsName.parse("a..b")).hasMessageContaining("empty label");
  }

  @Test
  void reverseNamesOfBothFamilies() {
    assertThat(DnsName.reverse(InetAddress.ofLiteral("192.0.2.1")).toString())
        .isEqualTo("1.2.0.192.in-addr.arpa.");
    assertThat(DnsName.reverse(InetAddress.ofLiteral("2001:db8::1")).toString())
        .isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
  }
}
