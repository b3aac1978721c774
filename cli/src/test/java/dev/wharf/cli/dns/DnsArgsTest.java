package dev.wharf.cli.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsArgsTest {
  private static DnsArgs parse(String... words) {
    return DnsArgs.parse(List.of(words), null, null, null, false);
  }

  @Test
  void wordsComeInAnyOrderAsDigs() {
    DnsArgs args = parse("+short", "MX", "@192.0.2.53", "example.test", "+norec", "+tcp");
    assertThat(args.name().toString()).isEqualTo("example.test.");
    assertThat(args.type()).isEqualTo(RecordType.MX);
    assertThat(args.server()).contains("192.0.2.53");
    assertThat(args.port()).isEqualTo(53);
    assertThat(args.shortOutput()).isTrue();
    assertThat(args.recurse()).isFalse();
    assertThat(args.tcp()).isTrue();
  }

  @Test
  void aTypeWordIsTheTypeWhereverItStandsAsDigs() {
    assertThat(parse("mx", "example.test").type()).isEqualTo(RecordType.MX);
    DnsArgs both = parse("mx", "a");
    assertThat(both.type()).isEqualTo(RecordType.MX);
    assertThat(both.name().toString()).isEqualTo("a.");
    assertThat(parse("example.test", "CH", "TXT").dnsClass()).isEqualTo(RecordClass.CH);
    assertThat(parse("example.test", "TYPE65534").type()).isEqualTo(65534);
  }

  @Test
  void serversWithPortsAndIpv6() {
    assertThat(parse("x", "@127.0.0.1:5353").port()).isEqualTo(5353);
    assertThat(parse("x", "@::1").server()).contains("::1");
    assertThat(parse("x", "@::1").port()).isEqualTo(53);
    DnsArgs bracketed = parse("x", "@[::1]:5353");
    assertThat(bracketed.server()).contains("::1");
    assertThat(bracketed.port()).isEqualTo(5353);
    assertThat(DnsArgs.parse(List.of("x", "@::1"), null, 8053, null, false).port()).isEqualTo(8053);
  }

  @Test
  void reverseLookupsOfBothFamilies() {
    DnsArgs v4 = DnsArgs.parse(List.of(), "192.0.2.1", null, null, false);
    assertThat(v4.name().toString()).isEqualTo("1.2.0.192.in-addr.arpa.");
    assertThat(v4.type()).isEqualTo(RecordType.PTR);
    DnsArgs v6 = DnsArgs.parse(List.of(), "2001:db8::1", null, null, false);
    assertThat(v6.name().toString()).endsWith(".8.b.d.0.1.0.0.2.ip6.arpa.");
  }

  @Test
  void mistakesSayWhatIsWrong() {
    assertThatThrownBy(() -> parse()).hasMessageStartingWith("missing NAME");
    assertThatThrownBy(() -> parse("x", "+frobnicate"))
        .hasMessageContaining("unknown option '+frobnicate'");
    assertThatThrownBy(() -> parse("x", "+time=0")).hasMessageContaining("+time= needs a number");
    assertThatThrownBy(() -> parse("x", "A", "y"))
        .hasMessageContaining("'y' would be a second name");
    assertThatThrownBy(() -> parse("x", "@")).hasMessageContaining("needs a server");
    assertThatThrownBy(() -> DnsArgs.parse(List.of(), "nope", null, null, false))
        .hasMessageContaining("-x needs an IPv4 or IPv6 address");
    assertThatThrownBy(() -> parse("a..b")).hasMessageContaining("empty label");
  }
}
