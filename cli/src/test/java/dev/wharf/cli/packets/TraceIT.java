package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf trace} beside tcpdump on one end of a veth pair between two network namespaces the
 * test makes (a real Ethernet layer), with the same filter, while the other end pings (IPv4 and
 * IPv6), sends UDP and opens a TCP connection: the same packets in the same order, as tcpdump reads
 * both files, and the same lines as tcpdump prints for tcpdump's own file. Needs root (CI runs as
 * root), for the named namespaces.
 */
class TraceIT extends EndToEnd {
  /**
   * What the test sends; not the router solicitations and duplicate address detection of the links
   * coming up, which may come before either capture starts.
   */
  private static final String FILTER =
      "icmp or (icmp6 and net fd77::/64) or udp port 4444 or tcp port 5555";

  private final String id = Integer.toString(ThreadLocalRandom.current().nextInt(10_000, 99_999));
  private final String here = "wtA" + id;
  private final String there = "wtB" + id;
  private final String link = "wa" + id;

  @BeforeEach
  void makeTheNamespaces() throws IOException {
    sh(
        "ip netns add "
            + here
            + " && ip netns add "
            + there
            + " && ip link add "
            + link
            + " type veth peer name wb"
            + id
            + " && ip link set "
            + link
            + " netns "
            + here
            + " && ip link set wb"
            + id
            + " netns "
            + there
            + " && ip -n "
            + here
            + " addr add 10.77.0.1/24 dev "
            + link
            + " && ip -n "
            + here
            + " addr add fd77::1/64 dev "
            + link
            + " nodad"
            + " && ip -n "
            + there
            + " addr add 10.77.0.2/24 dev wb"
            + id
            + " && ip -n "
            + there
            + " addr add fd77::2/64 dev wb"
            + id
            + " nodad"
            + " && ip -n "
            + here
            + " link set "
            + link
            + " up && ip -n "
            + here
            + " link set lo up"
            + " && ip -n "
            + there
            + " link set wb"
            + id
            + " up && ip -n "
            + there
            + " link set lo up");
  }

  @AfterEach
  void removeTheNamespaces() throws Exception {
    endChildren();
    // Deleting a namespace removes its end of the veth pair, and with it the other end.
    ExternalProcess.run(Duration.ofSeconds(10), "ip", "netns", "del", here);
    ExternalProcess.run(Duration.ofSeconds(10), "ip", "netns", "del", there);
  }

  @Test
  void wharfAndTcpdumpCaptureTheSamePacketsAndPrintThemAlike() throws Exception {
    Path ours = dir.resolve("ours.pcap");
    Path theirs = dir.resolve("theirs.pcap");
    Child tcpdump =
        peer(
            null,
            null,
            "ip",
            "netns",
            "exec",
            here,
            "tcpdump",
            // Without it, TPACKET_V3 hands packets over a block at a time, up to a second late.
            "--immediate-mode",
            "-U",
            "-n",
            "-i",
            link,
            "-w",
            theirs.toString(),
            FILTER);
    Child wharf =
        Child.wharfUnder(
            List.of("ip", "netns", "exec", here),
            Map.of(),
            null,
            null,
            "trace",
            "-i",
            link,
            "-w",
            ours.toString(),
            FILTER);
    try {
      tcpdump.awaitErr("listening on " + link);
      wharf.awaitErr("listening on " + link);

      inThere("ping -c 3 -i 0.2 10.77.0.1");
      inThere("ping -6 -c 2 -i 0.2 fd77::1");
      peer(
          null,
          null,
          "ip",
          "netns",
          "exec",
          here,
          "socat",
          "-u",
          "TCP-LISTEN:5555,reuseaddr",
          "OPEN:/dev/null");
      inThere("sleep 0.5; echo hello | socat -u - TCP:10.77.0.1:5555");
      inThere("echo datagram | socat -u - UDP:10.77.0.1:4444");
      inThere("sleep 1");
    } finally {
      wharf.signal("TERM");
      tcpdump.signal("TERM");
    }
    assertThat(wharf.awaitExit(Duration.ofSeconds(20))).isZero();
    tcpdump.awaitExit(Duration.ofSeconds(20));
    assertThat(wharf.errLines()).contains("0 packets dropped by kernel");

    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines)
        .anyMatch(line -> line.contains("ICMP echo request"))
        .anyMatch(line -> line.contains("ICMP6, echo reply"))
        .anyMatch(line -> line.contains("Flags [S.]"))
        .anyMatch(line -> line.contains("UDP, length 9"));
    assertThat(tcpdumpRead(ours)).isEqualTo(theirLines);

    // Our decoders, on tcpdump's own file: tcpdump's lines.
    Path text = dir.resolve("ours.txt");
    Child reader = wharf(null, text, "trace", "-r", theirs.toString());
    assertThat(reader.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(withoutTimes(Files.readAllLines(text))).isEqualTo(theirLines);
  }

  @Test
  void aFilterReadingAFileKeepsWhatTcpdumpKeeps() throws Exception {
    Path all = dir.resolve("all.pcap");
    Child tcpdump =
        peer(
            null,
            null,
            "ip",
            "netns",
            "exec",
            here,
            "tcpdump",
            // Without it, TPACKET_V3 hands packets over a block at a time, up to a second late.
            "--immediate-mode",
            "-U",
            "-n",
            "-i",
            link,
            "-w",
            all.toString());
    tcpdump.awaitErr("listening on " + link);
    inThere("ping -c 2 -i 0.2 10.77.0.1");
    inThere("echo datagram | socat -u - UDP:10.77.0.1:4444");
    inThere("sleep 0.5");
    tcpdump.signal("TERM");
    tcpdump.awaitExit(Duration.ofSeconds(20));
    for (String filter : List.of("udp", "icmp[icmptype] == icmp-echoreply", "not ip6")) {
      Path text = dir.resolve("filtered.txt");
      Child reader = wharf(null, text, "trace", "-r", all.toString(), filter);
      assertThat(reader.awaitExit(Duration.ofSeconds(30))).isZero();
      var command = new ArrayList<>(List.of("tcpdump", "-n", "-r", all.toString(), filter));
      var result = ExternalProcess.run(Duration.ofSeconds(30), command);
      assertThat(withoutTimes(Files.readAllLines(text)))
          .as(filter)
          .isNotEmpty()
          .isEqualTo(withoutTimes(result.out().lines().toList()));
    }
  }

  @Test
  void withoutCapNetRawItIsOneLineAndTcpdumpsExitCode() throws Exception {
    // A user namespace of its own holds no capability over the machine's network namespace.
    Child wharf =
        Child.wharfUnder(List.of("unshare", "-U"), Map.of(), null, null, "trace", "-i", "lo");
    int exit = wharf.awaitExit(Duration.ofSeconds(30));
    var tcpdump =
        ExternalProcess.run(Duration.ofSeconds(30), "unshare", "-U", "tcpdump", "-i", "lo");
    assertThat(exit).isEqualTo(tcpdump.exit()).isEqualTo(1);
    assertThat(wharf.errLines())
        .containsExactly(
            "wharf trace: permission denied: capturing needs CAP_NET_RAW (sudo, or setcap"
                + " cap_net_raw+ep on the java binary)");
  }

  @Test
  void aBadFilterIsLibpcapsOneLine() throws Exception {
    Child wharf = wharf(null, null, "trace", "-i", "lo", "tcp", "port", "nonsense-port");
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(wharf.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf trace: bad filter expression: ");
  }

  private void inThere(String command) throws IOException {
    var result =
        ExternalProcess.run(
            Duration.ofSeconds(20), "ip", "netns", "exec", there, "sh", "-c", command);
    assertThat(result.exit()).as("%s: %s", command, result.err()).isZero();
  }

  private static List<String> tcpdumpRead(Path file) throws IOException {
    var result =
        ExternalProcess.run(Duration.ofSeconds(30), "tcpdump", "-n", "-r", file.toString());
    return withoutTimes(result.out().lines().toList());
  }

  private static List<String> withoutTimes(List<String> lines) {
    return lines.stream()
        .map(line -> line.replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} ", ""))
        .toList();
  }

  private static void sh(String script) throws IOException {
    var result = ExternalProcess.run(Duration.ofSeconds(20), "sh", "-c", script);
    assertThat(result.exit()).as("%s: %s", script, result.err()).isZero();
  }
}
