package dev.wharf.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.Owner;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit's judgement of sockets made up here: reach, rules, sentences, report. */
class AuditTest {

  private static SocketEntry listener(SocketKind kind, String address, int port, Owner... owners)
      throws Exception {
    InetAddress ip = InetAddress.getByName(address);
    return new SocketEntry(
        kind,
        ip.getAddress().length == 4 ? SocketFamily.IPV4 : SocketFamily.IPV6,
        kind == SocketKind.TCP ? SocketState.LISTEN : SocketState.CLOSE,
        new Endpoint.Inet(ip, port),
        new Endpoint.Inet(ip, 0),
        0,
        128,
        4242,
        0,
        Optional.empty(),
        Optional.empty(),
        List.of(owners));
  }

  @Test
  void reachFollowsTheBoundAddress() throws Exception {
    assertThat(Reach.of(InetAddress.getByName("0.0.0.0"))).isEqualTo(Reach.EVERYWHERE);
    assertThat(Reach.of(InetAddress.getByName("::"))).isEqualTo(Reach.EVERYWHERE);
    assertThat(Reach.of(InetAddress.getByName("127.0.0.53"))).isEqualTo(Reach.LOCAL);
    assertThat(Reach.of(InetAddress.getByName("::1"))).isEqualTo(Reach.LOCAL);
    assertThat(Reach.of(InetAddress.getByAddress(mapped(127, 0, 0, 1)))).isEqualTo(Reach.LOCAL);
    assertThat(Reach.of(InetAddress.getByName("169.254.1.1"))).isEqualTo(Reach.LINK);
    assertThat(Reach.of(InetAddress.getByName("fe80::1"))).isEqualTo(Reach.LINK);
    assertThat(Reach.of(InetAddress.getByName("192.0.2.7"))).isEqualTo(Reach.ADDRESS);
    assertThat(Reach.of(InetAddress.getByName("2001:db8::1"))).isEqualTo(Reach.ADDRESS);
  }

  /** {@code ::ffff:a.b.c.d} as 16 bytes, which the JDK would otherwise turn into IPv4 itself. */
  private static byte[] mapped(int a, int b, int c, int d) {
    return new byte[] {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) a, (byte) b, (byte) c, (byte) d
    };
  }

  @Test
  void theSentenceNamesProcessesAddressAndReach() throws Exception {
    var sshd =
        Exposure.of(
            listener(SocketKind.TCP, "0.0.0.0", 22, new Owner(812, "sshd", 3)), AllowRules.none());
    assertThat(sshd.sentence())
        .isEqualTo("sshd (pid 812) on 0.0.0.0:22 is reachable from every network this host is on");
    assertThat(sshd.isForbidden()).isTrue();
    assertThat(sshd.sensitive()).hasValueSatisfying(s -> assertThat(s).startsWith("SSH"));

    var nginx =
        Exposure.of(
            listener(
                SocketKind.TCP,
                "::",
                80,
                new Owner(5, "nginx", 6),
                new Owner(4, "nginx", 6),
                new Owner(1, "systemd", 40)),
            AllowRules.ofOptions(List.of("systemd")));
    assertThat(nginx.sentence())
        .isEqualTo(
            "nginx (pids 4, 5) and systemd (pid 1) on [::]:80 is reachable from every network this"
                + " host is on");
    assertThat(nginx.isForbidden()).isFalse();

    var dns = Exposure.of(listener(SocketKind.UDP, "192.0.2.1", 53), AllowRules.none());
    assertThat(dns.sentence())
        .isEqualTo(
            "a process of uid 0 that cannot be seen from here on 192.0.2.1:53/udp is reachable"
                + " from any network that can reach 192.0.2.1");
    assertThat(dns.sensitive()).hasValueSatisfying(s -> assertThat(s).startsWith("DNS"));
  }

  @Test
  void rulesAllowPortsProtocolsRangesAndProcesses() throws Exception {
    var rules = AllowRules.ofOptions(List.of("22", "53/udp,8000-8099", "nginx"));
    assertThat(rules.allowing("tcp", 22, List.of())).isPresent();
    assertThat(rules.allowing("udp", 22, List.of())).isPresent();
    assertThat(rules.allowing("udp", 53, List.of())).isPresent();
    assertThat(rules.allowing("tcp", 53, List.of())).isEmpty();
    assertThat(rules.allowing("tcp", 8099, List.of()))
        .get()
        .extracting(r -> r.origin())
        .isEqualTo("--allow 8000-8099");
    assertThat(rules.allowing("tcp", 8100, List.of())).isEmpty();
    assertThat(rules.allowing("tcp", 443, List.of("nginx"))).isPresent();
    assertThat(rules.allowing("tcp", 443, List.of("nginx-debug"))).isEmpty();
    // A rule for a port, not for every socket on loopback: local sockets are never judged.
    var local = Exposure.of(listener(SocketKind.TCP, "127.0.0.1", 6379), AllowRules.none());
    assertThat(local.isForbidden()).isFalse();
    assertThat(local.allowedBy()).isEmpty();
  }

  @Test
  void badRulesSayWhatIsWrongAndWhere(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> AllowRules.ofOptions(List.of("70000")))
        .hasMessage("--allow 70000: port must be 1-65535, got 70000");
    assertThatThrownBy(() -> AllowRules.ofOptions(List.of("22/sctp")))
        .hasMessage(
            "--allow 22/sctp: '22/sctp' is neither a PORT, PORT/tcp, PORT/udp, FIRST-LAST nor a"
                + " process");
    assertThatThrownBy(() -> AllowRules.ofOptions(List.of("90-80")))
        .hasMessage("--allow 90-80: the range 90-80 ends before it starts");
    assertThatThrownBy(() -> AllowRules.ofOptions(List.of("22,")))
        .hasMessageEndingWith(": an empty rule");
    Path file = Files.writeString(dir.resolve("a.conf"), "# rules\n\nallow 22 nginx # ok\nallow\n");
    assertThatThrownBy(() -> AllowRules.read(file))
        .hasMessage(file + ":4: 'allow' needs at least one RULE");
    Path good = Files.writeString(dir.resolve("b.conf"), "allow 22 nginx # ok\n  allow 53/udp\n");
    assertThat(AllowRules.read(good).rules())
        .extracting(AllowRules.Rule::origin)
        .containsExactly(good + ":1", good + ":1", good + ":2");
  }

  @Test
  void theReportPutsWhatFailsFirstAndCountsInItsLastLine() throws Exception {
    var rules = AllowRules.ofOptions(List.of("80"));
    var report =
        new AuditReport(
            List.of(
                Exposure.of(
                    listener(SocketKind.TCP, "127.0.0.1", 5432, new Owner(7, "postgres", 5)),
                    rules),
                Exposure.of(
                    listener(SocketKind.TCP, "0.0.0.0", 80, new Owner(9, "nginx", 6)), rules),
                Exposure.of(
                    listener(SocketKind.TCP, "0.0.0.0", 6379, new Owner(8, "redis-server", 6)),
                    rules)));
    var text = new StringWriter();
    report.writeText(new PrintWriter(text, true), false);
    assertThat(text.toString().lines())
        .containsExactly(
            "EXPOSED  redis-server (pid 8) on 0.0.0.0:6379 is reachable from every network this"
                + " host is on.",
            "           port 6379 is Redis: a database with no password by default.",
            "allowed  nginx (pid 9) on 0.0.0.0:80 is reachable from every network this host is on"
                + " (--allow 80).",
            "local    postgres (pid 7) on 127.0.0.1:5432 is reachable from this host only.",
            "wharf audit: 3 listening sockets: 2 reachable from outside (1 not allowed), 1 from"
                + " this host only");
    var quiet = new StringWriter();
    report.writeText(new PrintWriter(quiet, true), true);
    assertThat(quiet.toString().lines()).hasSize(3);
    var json = new StringWriter();
    report.writeJson(new PrintWriter(json, true));
    assertThat(json.toString())
        .startsWith("{\"listening\":3,\"reachable\":2,\"not_allowed\":1,\"sockets\":[\n")
        .contains(
            "{\"protocol\":\"tcp\",\"address\":\"0.0.0.0\",\"port\":80,\"reach\":\"everywhere\","
                + "\"reachable_from_outside\":true,\"allowed\":true,\"allowed_by\":\"--allow 80\","
                + "\"sensitive\":null,\"uid\":0,\"processes\":[{\"pid\":9,\"command\":\"nginx\","
                + "\"fd\":6}],\"sentence\":\"nginx (pid 9) on 0.0.0.0:80 is reachable from every"
                + " network this host is on\"}");
  }
}
