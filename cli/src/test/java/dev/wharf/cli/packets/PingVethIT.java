package dev.wharf.cli.packets;

import static dev.wharf.cli.packets.PingRun.timeless;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.VethPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf ping} against iputils' {@code ping} across a veth pair between two network
 * namespaces the test makes (PingIT covers loopback): the same replies to the far end over IPv4 and
 * IPv6, the same loss when nftables on the far end drops every second echo request, which socket
 * kind {@code -v} says it used as {@code net.ipv4.ping_group_range} allows, and the one line and
 * exit code 2 without CAP_NET_RAW. Needs root (CI runs as root), for the named namespaces.
 */
class PingVethIT extends EndToEnd {
  private VethPair veth;

  @BeforeEach
  void makeTheNamespaces() throws IOException {
    veth =
        VethPair.create(
            "wp", List.of("10.78.0.1/24", "fd78::1/64"), List.of("10.78.0.2/24", "fd78::2/64"));
  }

  @AfterEach
  void removeTheNamespaces() throws Exception {
    endChildren();
    veth.close();
  }

  @Test
  void repliesFromTheFarEndAreThoseOfIputilsOverIpv4AndIpv6() throws Exception {
    for (List<String> args :
        List.of(
            List.of("-c", "3", "-i", "0.2", "10.78.0.2"),
            List.of("-6", "-c", "3", "-i", "0.2", "-s", "100", "fd78::2"))) {
      PingRun theirs = iputils(args);
      PingRun ours = wharfPing(args);
      assertThat(ours.exit()).as("%s", args).isZero();
      assertThat(ours.out()).as("%s", args).contains("3 packets transmitted, 3 received");
      assertThat(timeless(ours)).as("%s", args).isEqualTo(timeless(theirs));
    }
  }

  /**
   * The far end drops every second echo request on its way in (nftables' numgen counts from 0, so
   * the first, third, ... go): of ten, five answered, as iputils counts them, with its exit code.
   */
  @Test
  void everySecondRequestDroppedAtTheFarEndIsHalfLostAsIputilsCounts() throws Exception {
    veth.shThere(
        "nft add table inet t"
            + " && nft add chain inet t input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet t input icmp type echo-request numgen inc mod 2 0 drop");
    List<String> args = List.of("-c", "10", "-i", "0.2", "-W", "1", "10.78.0.2");
    PingRun theirs = iputils(args);
    resetCounter();
    PingRun ours = wharfPing(args);
    assertThat(ours.out()).contains("10 packets transmitted, 5 received, 50% packet loss");
    assertThat(ours.exit()).isZero().isEqualTo(theirs.exit());
    assertThat(timeless(ours)).isEqualTo(timeless(theirs));
  }

  /**
   * ICMP errors about our requests, as iputils prints them, on an unprivileged ping socket (which
   * hands them to its error queue, IP_RECVERR) and on a raw one: the far end rejects echo requests
   * with nftables (admin-prohibited: "Packet filtered", and ICMPv6's), and a router's "Time to live
   * exceeded" for -t 1, the far end forwarding 10.81.0.0/24 back the way it came.
   */
  @Test
  void icmpErrorsAreIputilsLinesOnPingAndRawSockets() throws Exception {
    var rules =
        veth.shThere(
            "nft add table inet t"
                + " && nft add chain inet t input '{ type filter hook input priority 0; }'"
                + " && nft add rule inet t input icmp type echo-request"
                + " reject with icmp type admin-prohibited"
                + " && nft add rule inet t input icmpv6 type echo-request"
                + " reject with icmpv6 type admin-prohibited"
                + " && sysctl -q -w net.ipv4.ip_forward=1"
                // The kernel sends a host at most 6 errors at once, then one a second: the test
                // asks for 24 in a few seconds.
                + " && sysctl -q -w net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0"
                + " && ip route add 10.81.0.0/24 via 10.78.0.1");
    assertThat(rules.exit()).as(rules.err()).isZero();
    var route = veth.shHere("ip route add 10.81.0.0/24 via 10.78.0.2");
    assertThat(route.exit()).as(route.err()).isZero();
    for (String range : List.of("0 2147483647", "1 0")) { // a ping socket, then a raw one
      sysctlHere(range);
      for (List<String> args :
          List.of(
              List.of("-c", "2", "-i", "0.2", "10.78.0.2"),
              List.of("-6", "-c", "2", "-i", "0.2", "fd78::2"),
              List.of("-c", "2", "-i", "0.2", "-t", "1", "10.81.0.5"))) {
        PingRun theirs = iputils(args);
        PingRun ours = wharfPing(args);
        assertThat(ours.out())
            .as("%s, %s", range, args)
            .containsPattern(
                "From \\S+ icmp_seq=2 (Packet filtered|Destination unreachable: "
                    + "Administratively prohibited|Time to live exceeded)\n");
        assertThat(timeless(ours)).as("%s, %s", range, args).isEqualTo(timeless(theirs));
      }
    }
  }

  /**
   * As iputils' -v, which names its sockets' type: a ping socket (SOCK_DGRAM) where the group range
   * admits the user (root, group 0, here), else a raw one; the namespace's own sysctl decides.
   */
  @Test
  void verboseSaysWhichSocketKindTheGroupRangeAllowed() throws Exception {
    List<String> args = List.of("-v", "-c", "1", "10.78.0.2");
    sysctlHere("0 2147483647");
    Child allowed = wharfPingIn(args);
    assertThat(allowed.awaitExit(Duration.ofSeconds(60))).isZero();
    assertThat(allowed.errLines())
        .containsExactly("wharf ping: socket: SOCK_DGRAM (an unprivileged ping socket)");

    sysctlHere("1 0");
    Child refused = wharfPingIn(args);
    assertThat(refused.awaitExit(Duration.ofSeconds(60))).isZero();
    assertThat(refused.errLines())
        .containsExactly("wharf ping: socket: SOCK_RAW (a raw socket, CAP_NET_RAW)");
  }

  /**
   * Neither socket: the group range excludes every group (root's too) and setpriv takes CAP_NET_RAW
   * out of the bounding set, so root's exec does not get it back. One line that says what is
   * needed, ping's exit code for other errors (2), no stack trace.
   */
  @Test
  void withoutCapNetRawOrTheGroupRangeItIsOneLineAndExitTwo() throws Exception {
    sysctlHere("1 0");
    Path out = dir.resolve("denied.txt");
    Child wharf =
        Child.wharfUnder(
            List.of(
                "ip",
                "netns",
                "exec",
                veth.here(),
                "setpriv",
                "--inh-caps=-net_raw",
                "--bounding-set=-net_raw"),
            Map.of(),
            null,
            out,
            "ping",
            "-c",
            "1",
            "10.78.0.2");
    assertThat(wharf.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(wharf.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf ping: permission denied: ping needs CAP_NET_RAW")
        .doesNotContain("Exception");
    assertThat(Files.readString(out)).isEmpty();
  }

  /** What a ping said and how it ended. */
  private PingRun wharfPing(List<String> args) throws Exception {
    Path out = dir.resolve("ping-" + System.nanoTime());
    var all = new ArrayList<>(List.of("ping"));
    all.addAll(args);
    Child wharf = Child.wharfUnder(veth.inHere(), Map.of(), null, out, all.toArray(String[]::new));
    int exit = wharf.awaitExit(Duration.ofSeconds(60));
    assertThat(wharf.errLines()).isEmpty();
    return new PingRun(exit, Files.readString(out));
  }

  private Child wharfPingIn(List<String> args) throws Exception {
    var all = new ArrayList<>(List.of("ping"));
    all.addAll(args);
    return Child.wharfUnder(
        veth.inHere(),
        Map.of(),
        null,
        dir.resolve("ping-" + System.nanoTime()),
        all.toArray(String[]::new));
  }

  private PingRun iputils(List<String> args) throws Exception {
    var command = new ArrayList<>(veth.inHere());
    command.add("ping");
    command.addAll(args);
    var result = ExternalProcess.run(Duration.ofSeconds(60), command);
    return new PingRun(result.exit(), result.out());
  }

  /** numgen's counter restarts with the rule: each ping meets the same drops from the first. */
  private void resetCounter() throws IOException {
    var result =
        veth.shThere(
            "nft flush chain inet t input"
                + " && nft add rule inet t input icmp type echo-request numgen inc mod 2 0 drop");
    assertThat(result.exit()).as(result.err()).isZero();
  }

  private void sysctlHere(String range) throws IOException {
    var result = veth.shHere("sysctl -q -w net.ipv4.ping_group_range='" + range + "'");
    assertThat(result.exit()).as(result.err()).isZero();
  }
}
