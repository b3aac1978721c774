package dev.wharf.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.NamespacePeer;
import dev.wharf.testkit.ExternalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf scan --syn} against {@code nmap -sS}, in a network namespace of the test's own (a
 * user namespace too: root there, so raw sockets are allowed without root on the machine) whose
 * ports the test opens, leaves closed, and filters with an nftables drop rule.
 */
@Timeout(180)
class SynScanIT extends EndToEnd {
  private static final Pattern JSON_PORT =
      Pattern.compile(
          "\\{\"port\":(\\d+),\"protocol\":\"tcp\",\"state\":\"(\\w+)\",\"reason\":\"([\\w-]+)\"");
  private static final Pattern NMAP_PORT = Pattern.compile("(\\d+)/(\\w+)/tcp/");

  /**
   * With nmap -T4's adaptive timing (no --timeout): the dropped port is decided from the loopback's
   * learnt timeout, and, every other port having answered its first SYN, it gets one retry (nmap's
   * allowedTryno), not the six --retries allows: the drop rule's counter sees two SYNs.
   */
  @Test
  void openClosedAndDroppedPortsAreNmapsSynScanStates() throws Exception {
    try (var peer = NamespacePeer.start()) {
      peer.send("listen ssh 22");
      peer.send("listen web 8080");
      peer.send("nft add rule inet t in tcp dport 7777 counter drop");
      peer.send("nft add rule inet t in tcp dport 7778 reject with icmpx type admin-prohibited");
      String list = "22,23,7777,7778,8080,9999";

      Path out = dir.resolve("syn.json");
      Child wharf = wharfIn(peer, out, "scan", "-sS", "127.0.0.1", list, "-v", "--json");
      assertThat(wharf.awaitExit(Duration.ofSeconds(120))).isZero();
      String json = Files.readString(out);
      assertThat(states(json))
          .containsExactlyEntriesOf(
              new TreeMap<>(
                  Map.of(
                      22, "open syn-ack",
                      23, "closed reset",
                      7777, "filtered no-response",
                      7778, "filtered admin-prohibited",
                      8080, "open syn-ack",
                      9999, "closed reset")));
      assertThat(wharf.errLines())
          .anyMatch(line -> line.contains("retries allowed a silent port: 1"));
      var rules =
          ExternalProcess.run(Duration.ofSeconds(30), peer.inside("nft", "list", "ruleset"));
      assertThat(rules.out()).contains("tcp dport 7777 counter packets 2 ");

      // Half-open: the kernel reset each SYN-ACK, so no connection was ever completed (accepted or
      // waiting to be): ss finds the two listeners and nothing else.
      var sockets = ExternalProcess.run(Duration.ofSeconds(30), peer.inside("ss", "-Htan"));
      assertThat(sockets.out().lines().filter(line -> !line.isBlank()))
          .hasSize(2)
          .allMatch(line -> line.startsWith("LISTEN"));

      var nmap =
          ExternalProcess.run(
              Duration.ofSeconds(120),
              peer.inside("nmap", "-sS", "-Pn", "-n", "-T4", "-p", list, "-oG", "-", "127.0.0.1"));
      assertThat(nmapStates(nmap.out())).isEqualTo(stateNames(states(json)));
    }
  }

  /**
   * nmap's timing options: the round-trip timeouts (nmap's time syntax) and the rates, on a range
   * large enough that the window and the batches of SYNs matter; the same states as nmap's.
   */
  @Test
  void nmapsTimingOptionsGiveTheSameStates() throws Exception {
    try (var peer = NamespacePeer.start()) {
      peer.send("listen a 2001");
      peer.send("listen b 2999");
      peer.send("nft add rule inet t in tcp dport 2500 drop");
      String list = "2000-3000";
      Path out = dir.resolve("timing.json");
      Child wharf =
          wharfIn(
              peer,
              out,
              "scan",
              "--syn",
              "127.0.0.1",
              list,
              "--initial-rtt-timeout",
              "300ms",
              "--min-rtt-timeout",
              "50ms",
              "--max-rtt-timeout",
              "1s",
              "--min-rate",
              "100",
              "--max-rate",
              "100000",
              "--max-retries",
              "3",
              "-v",
              "--json");
      assertThat(wharf.awaitExit(Duration.ofSeconds(120))).isZero();
      Map<Integer, String> ours = states(Files.readString(out));
      assertThat(ours).hasSize(1001);
      assertThat(ours.get(2001)).isEqualTo("open syn-ack");
      assertThat(ours.get(2999)).isEqualTo("open syn-ack");
      assertThat(ours.get(2500)).isEqualTo("filtered no-response");
      assertThat(ours.values().stream().filter(state -> state.equals("closed reset"))).hasSize(998);
      var nmap =
          ExternalProcess.run(
              Duration.ofSeconds(120),
              peer.inside("nmap", "-sS", "-Pn", "-n", "-T4", "-p", list, "-oG", "-", "127.0.0.1"));
      Map<Integer, String> theirs = nmapStates(nmap.out());
      // nmap's grepable output lists the ports not in its "Ignored State" (closed, here).
      assertThat(theirs)
          .isEqualTo(Map.of(2001, "open", 2500, "filtered", 2999, "open"))
          .isEqualTo(
              stateNames(ours).entrySet().stream()
                  .filter(e -> !e.getValue().equals("closed"))
                  .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }
  }

  @Test
  void ipv6LoopbackAgreesWithNmap() throws Exception {
    try (var peer = NamespacePeer.start()) {
      Child socat =
          peer(
              null,
              null,
              peer.inside("socat", "-d", "-d", "TCP6-LISTEN:8443,bind=[::1],fork", "PIPE")
                  .toArray(String[]::new));
      socat.awaitErr("listening on");
      String list = "8443,8444";
      Path out = dir.resolve("syn6.json");
      Child wharf = wharfIn(peer, out, "scan", "--syn", "::1", list, "-v", "--json");
      assertThat(wharf.awaitExit(Duration.ofSeconds(120))).isZero();
      Map<Integer, String> ours = states(Files.readString(out));
      assertThat(ours)
          .containsExactlyEntriesOf(
              new TreeMap<>(Map.of(8443, "open syn-ack", 8444, "closed reset")));
      var nmap =
          ExternalProcess.run(
              Duration.ofSeconds(120),
              peer.inside("nmap", "-6", "-sS", "-Pn", "-n", "-p", list, "-oG", "-", "::1"));
      assertThat(nmapStates(nmap.out())).isEqualTo(stateNames(ours));
    }
  }

  /**
   * Across a veth pair between two named namespaces (a real Ethernet link, ARP first, and a target
   * kernel that checks every TCP checksum): the same states as nmap's, the probes' checksums
   * accepted. Needs root (CI runs as root) for the named namespaces.
   */
  @Test
  void acrossAVethPairTheStatesAreNmapsToo() throws Exception {
    String id = Integer.toString(ThreadLocalRandom.current().nextInt(10_000, 99_999));
    String scanner = "wsA" + id;
    String target = "wsB" + id;
    try {
      sh(
          String.join(
              " && ",
              "ip netns add " + scanner,
              "ip netns add " + target,
              "ip link add sa" + id + " type veth peer name sb" + id,
              "ip link set sa" + id + " netns " + scanner,
              "ip link set sb" + id + " netns " + target,
              "ip -n " + scanner + " addr add 10.78.0.1/24 dev sa" + id,
              "ip -n " + target + " addr add 10.78.0.2/24 dev sb" + id,
              "ip -n " + scanner + " link set sa" + id + " up",
              "ip -n " + target + " link set sb" + id + " up",
              "ip -n " + scanner + " link set lo up",
              "ip -n " + target + " link set lo up",
              "ip netns exec " + target + " nft add table inet t",
              "ip netns exec "
                  + target
                  + " nft add chain inet t in '{ type filter hook input priority 0; }'",
              "ip netns exec " + target + " nft add rule inet t in tcp dport 7777 drop"));
      Child socat =
          peer(
              null,
              null,
              "ip",
              "netns",
              "exec",
              target,
              "socat",
              "-d",
              "-d",
              "TCP-LISTEN:22,bind=10.78.0.2,fork",
              "PIPE");
      socat.awaitErr("listening on");
      String list = "22,23,7777";
      Path out = dir.resolve("veth.json");
      Child wharf =
          Child.wharfUnder(
              List.of("ip", "netns", "exec", scanner),
              Map.of(),
              null,
              out,
              "scan",
              "-sS",
              "10.78.0.2",
              list,
              "--timeout",
              "0.5",
              "-v",
              "--json");
      assertThat(wharf.awaitExit(Duration.ofSeconds(120))).isZero();
      Map<Integer, String> ours = states(Files.readString(out));
      assertThat(ours)
          .containsExactlyEntriesOf(
              new TreeMap<>(
                  Map.of(22, "open syn-ack", 23, "closed reset", 7777, "filtered no-response")));
      var nmap =
          ExternalProcess.run(
              Duration.ofSeconds(120),
              "ip",
              "netns",
              "exec",
              scanner,
              "nmap",
              "-sS",
              "-Pn",
              "-n",
              "-T4",
              "-p",
              list,
              "-oG",
              "-",
              "10.78.0.2");
      assertThat(nmapStates(nmap.out())).isEqualTo(stateNames(ours));

      // This host's own address on the veth: Linux routes that through lo, where the answers are.
      Path self = dir.resolve("self.json");
      Child own =
          Child.wharfUnder(
              List.of("ip", "netns", "exec", scanner),
              Map.of(),
              null,
              self,
              "scan",
              "-sS",
              "10.78.0.1",
              "22",
              "-v",
              "--json");
      assertThat(own.awaitExit(Duration.ofSeconds(120))).isZero();
      assertThat(states(Files.readString(self)))
          .containsExactlyEntriesOf(Map.of(22, "closed reset"));
    } finally {
      endChildren();
      // Deleting a namespace removes its end of the veth pair, and with it the other end.
      ExternalProcess.run(Duration.ofSeconds(10), "ip", "netns", "del", scanner);
      ExternalProcess.run(Duration.ofSeconds(10), "ip", "netns", "del", target);
    }
  }

  private static void sh(String script) throws java.io.IOException {
    var result = ExternalProcess.run(Duration.ofSeconds(20), "sh", "-c", script);
    assertThat(result.exit()).as("%s: %s", script, result.err()).isZero();
  }

  /**
   * A port the test opens is open to both scans; once the test closes it, the same port is closed
   * to both: the kernel's RST answers the SYN that its SYN-ACK answered before.
   */
  @Test
  void aPortOpenThenClosedIsOpenThenClosedAsNmapSaysToo() throws Exception {
    try (var peer = NamespacePeer.start()) {
      peer.send("listen briefly 6001");
      Map<Integer, String> before = synScan(peer, "before.json", "6001");
      assertThat(before).containsExactlyEntriesOf(new TreeMap<>(Map.of(6001, "open syn-ack")));
      assertThat(nmapSyn(peer, "6001"))
          .isEqualTo(Map.of(6001, "open"))
          .isEqualTo(stateNames(before));

      peer.send("close briefly");
      Map<Integer, String> after = synScan(peer, "after.json", "6001");
      assertThat(after).containsExactlyEntriesOf(new TreeMap<>(Map.of(6001, "closed reset")));
      assertThat(nmapSyn(peer, "6001"))
          .isEqualTo(Map.of(6001, "closed"))
          .isEqualTo(stateNames(after));
    }
  }

  private Map<Integer, String> synScan(NamespacePeer peer, String file, String ports)
      throws Exception {
    Path out = dir.resolve(file);
    Child wharf = wharfIn(peer, out, "scan", "--syn", "127.0.0.1", ports, "-v", "--json");
    assertThat(wharf.awaitExit(Duration.ofSeconds(120))).isZero();
    return states(Files.readString(out));
  }

  private static Map<Integer, String> nmapSyn(NamespacePeer peer, String ports) throws Exception {
    var nmap =
        ExternalProcess.run(
            Duration.ofSeconds(120),
            peer.inside("nmap", "-sS", "-Pn", "-n", "-p", ports, "-oG", "-", "127.0.0.1"));
    return nmapStates(nmap.out());
  }

  /** A user namespace of its own holds no capability over the machine's network namespace. */
  @Test
  void withoutCapNetRawItSaysWhatIsNeededInOneLine() throws Exception {
    Child wharf =
        Child.wharfUnder(
            List.of("unshare", "-U"), Map.of(), null, null, "scan", "-sS", "127.0.0.1", "80");
    assertThat(wharf.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
    assertThat(wharf.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf scan: permission denied: a SYN scan needs CAP_NET_RAW");
  }

  @Test
  void aBannerNeedsTheConnectScan() throws Exception {
    Child wharf = wharf(null, null, "scan", "-sS", "--banner", "127.0.0.1", "80");
    assertThat(wharf.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(wharf.errLines())
        .singleElement()
        .asString()
        .contains("--banner needs a completed connection");
  }

  /** Port to "state reason", from wharf's --json -v. */
  private static Map<Integer, String> states(String json) {
    return JSON_PORT
        .matcher(json)
        .results()
        .collect(
            Collectors.toMap(
                m -> Integer.parseInt(m.group(1)),
                m -> m.group(2) + " " + m.group(3),
                (a, b) -> a,
                TreeMap::new));
  }

  private static Map<Integer, String> stateNames(Map<Integer, String> states) {
    var names = new TreeMap<Integer, String>();
    states.forEach((port, state) -> names.put(port, state.split(" ")[0]));
    return names;
  }

  private static Map<Integer, String> nmapStates(String grepable) {
    String ports =
        grepable.lines().filter(line -> line.contains("Ports: ")).findFirst().orElseThrow();
    return NMAP_PORT
        .matcher(ports)
        .results()
        .collect(
            Collectors.toMap(
                m -> Integer.parseInt(m.group(1)), m -> m.group(2), (a, b) -> a, TreeMap::new));
  }
}
