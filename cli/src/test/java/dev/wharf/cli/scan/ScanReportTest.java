package dev.wharf.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.scan.PortResult;
import dev.wharf.scan.PortState;
import dev.wharf.scan.Services;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
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

  @Test
  void oneScannedPortIsOnePortNotOnePorts() {
    var address = InetAddress.ofLiteral("127.0.0.1");
    var one = List.of(new PortResult(9, PortState.CLOSED, "conn-refused", ""));
    assertThat(
            summary(
                new ScanReport(
                    "tcp", "127.0.0.1", address, one, Services.system("tcp"), Duration.ZERO)))
        .startsWith("wharf done: 1 port of 127.0.0.1 scanned in ");
    var two = List.of(one.getFirst(), new PortResult(10, PortState.CLOSED, "conn-refused", ""));
    assertThat(
            summary(
                new ScanReport(
                    "tcp", "127.0.0.1", address, two, Services.system("tcp"), Duration.ZERO)))
        .startsWith("wharf done: 2 ports of 127.0.0.1 scanned in ");
  }

  private static String summary(ScanReport report) {
    var text = new StringWriter();
    report.printTable(new PrintWriter(text), false);
    return text.toString()
        .lines()
        .filter(l -> l.startsWith("wharf done: "))
        .findFirst()
        .orElseThrow();
  }
}
