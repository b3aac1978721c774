package dev.wharf.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ScanReportTest {

  @Test
  void ipv6AddressesAreWrittenShortAsRfc5952Asks() {
    assertThat(ScanReport.literal(InetAddress.ofLiteral("::1"))).isEqualTo("::1");
    assertThat(ScanReport.literal(InetAddress.ofLiteral("::"))).isEqualTo("::");
    assertThat(ScanReport.literal(InetAddress.ofLiteral("2001:db8:0:0:1:0:0:1")))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(ScanReport.literal(InetAddress.ofLiteral("fe80::1:0"))).isEqualTo("fe80::1:0");
    assertThat(ScanReport.literal(InetAddress.ofLiteral("2001:db8:1:2:3:4:0:5")))
        .isEqualTo("2001:db8:1:2:3:4:0:5");
    assertThat(ScanReport.literal(InetAddress.ofLiteral("127.0.0.1"))).isEqualTo("127.0.0.1");
  }
}
