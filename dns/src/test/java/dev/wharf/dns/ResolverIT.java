package dev.wharf.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Transport;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.Rcode;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import dev.wharf.testkit.DnsTestZones;
import dev.wharf.testkit.NsdServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The resolver against NSD (a real authoritative server) on 127.0.0.1 and ::1. */
@Timeout(60)
class ResolverIT {
  @TempDir static Path dir;
  private static NsdServer nsd;
  private static EventLoopGroup group;

  @BeforeAll
  static void start() throws Exception {
    nsd = NsdServer.start(dir, DnsTestZones.all());
    group = new EventLoopGroup(1, "dns-test", true);
  }

  @AfterAll
  static void stop() {
    if (nsd != null) {
      nsd.close();
    }
    if (group != null) {
      group.close();
    }
  }

  private static DnsResponse ask(String server, String name, int type, boolean tcp)
      throws Exception {
    DnsResolver resolver =
        DnsResolver.builder(group)
            .servers(List.of(new InetSocketAddress(InetAddress.ofLiteral(server), nsd.port())))
            .timeout(Duration.ofSeconds(3))
            .attempts(2)
            .build();
    var question = new Question(DnsName.parse(name), type, RecordClass.IN);
    return resolver.query(DnsQuery.of(question).withTcp(tcp)).get(20, TimeUnit.SECONDS);
  }

  @Test
  void anAnswerOverUdpFromBothFamilies() throws Exception {
    for (String server : List.of("127.0.0.1", "::1")) {
      DnsResponse response = ask(server, "www.example.test", RecordType.A, false);
      assertThat(response.transport()).isEqualTo(Transport.UDP);
      assertThat(response.message().header().isAuthoritative()).isTrue();
      assertThat(response.message().answers().stream().map(r -> r.data().toText()))
          .containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");
    }
  }

  @Test
  void aTruncatedAnswerIsAskedAgainOverTcp() throws Exception {
    DnsResponse response = ask("127.0.0.1", "big.example.test", RecordType.TXT, false);
    assertThat(response.transport()).isEqualTo(Transport.TCP);
    assertThat(response.message().header().isTruncated()).isFalse();
    assertThat(response.message().answers()).hasSize(DnsTestZones.BIG_TXT_COUNT);
    assertThat(response.size()).isGreaterThan(1232);
  }

  @Test
  void tcpFromTheStart() throws Exception {
    DnsResponse response = ask("::1", "svc.example.test", RecordType.HTTPS, true);
    assertThat(response.transport()).isEqualTo(Transport.TCP);
    assertThat(response.message().answers().getFirst().data().toText())
        .isEqualTo("1 . alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1");
  }

  @Test
  void nxdomainAndNodataCarryTheSoaInAuthority() throws Exception {
    DnsResponse nx = ask("127.0.0.1", "nope.example.test", RecordType.A, false);
    assertThat(nx.message().rcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(nx.message().answers()).isEmpty();
    assertThat(nx.message().authority().stream().map(ResourceRecord::type))
        .containsExactly(RecordType.SOA);

    DnsResponse nodata = ask("127.0.0.1", "www.example.test", RecordType.MX, false);
    assertThat(nodata.message().rcode()).isEqualTo(Rcode.NOERROR);
    assertThat(nodata.message().answers()).isEmpty();
    assertThat(nodata.message().authority().stream().map(ResourceRecord::type))
        .containsExactly(RecordType.SOA);
  }
}
