package dev.wharf.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf scan -sU} against UDP ports the test opens (a python3 echo peer, and a peer that
 * answers DNS queries only) and closes, compared with {@code nmap -sU} (which needs root, as these
 * tests run); dropped, rejected and rate-limited ICMP answers made with nftables in a private
 * network namespace.
 */
class UdpScanIT extends EndToEnd {
  private static final Pattern JSON_PORT =
      Pattern.compile("\\{\"port\":(\\d+),\"protocol\":\"udp\",\"state\":\"([\\w|]+)\"");
  private static final Pattern NMAP_PORT = Pattern.compile("(\\d+)/([\\w|]+)/udp/");

  /**
   * A UDP peer on 127.0.0.1 that prints its port: {@code echo} sends every datagram back (empty
   * ones too); {@code dns} answers only what is long enough to be a DNS query, with the query
   * turned into a REFUSED response (RFC 1035 §4.1.1: QR set, RCODE 5).
   */
  private static final String PEER =
      "import socket, sys\n"
          + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
          + "s.bind(('127.0.0.1', int(sys.argv[2])))\n"
          + "print(s.getsockname()[1], flush=True)\n"
          + "while True:\n"
          + "    d, a = s.recvfrom(65535)\n"
          + "    if sys.argv[1] == 'echo':\n"
          + "        s.sendto(d, a)\n"
          + "    elif len(d) >= 12:\n"
          + "        r = bytearray(d); r[2] |= 0x80; r[3] = (r[3] & 0xF0) | 5\n"
          + "        s.sendto(bytes(r), a)\n";

  private int udpPeer(String mode) throws Exception {
    Path out = dir.resolve(mode + "-" + System.nanoTime());
    peer(null, out, "python3", "-c", PEER, mode, "0");
    return Integer.parseInt(awaitMatch(out, Pattern.compile("(\\d+)")));
  }

  private static int closedUdpPort() throws Exception {
    try (var gone =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      return gone.getLocalPort();
    }
  }

  @Test
  void openAndClosedAgreeWithNmap() throws Exception {
    int echo = udpPeer("echo");
    int closedA = closedUdpPort();
    int closedB = closedUdpPort();
    String list = echo + "," + closedA + "," + closedB;

    String json = wharfScan(List.of("scan", "-sU", "127.0.0.1", list, "--json", "-v"));
    Map<Integer, String> ours = states(json);

    assertThat(ours)
        .containsEntry(echo, "open")
        .containsEntry(closedA, "closed")
        .containsEntry(closedB, "closed")
        .isEqualTo(nmapStates(list));
    assertThat(json)
        .contains("\"protocol\":\"udp\"")
        .contains("\"reason\":\"udp-response\"")
        .contains("\"reason\":\"port-unreach\"")
        .contains("\"open\":1,\"closed\":2,\"filtered\":0,\"open_filtered\":0");
  }

  @Test
  void theTableSaysUdpAndCountsOpenFiltered() throws Exception {
    int echo = udpPeer("echo");
    int closed = closedUdpPort();
    Path out = dir.resolve("table");
    Child wharf = wharf(null, out, "scan", "--udp", "127.0.0.1", echo + "," + closed);
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).contains("Not shown: 1 closed udp port (port-unreach)");
    assertThat(lines).anyMatch(line -> line.matches(echo + "/udp +open +\\S+"));
    assertThat(lines.getLast())
        .matches(
            "wharf done: 2 ports of 127\\.0\\.0\\.1 scanned in [\\d.]+ s: 1 open, 1 closed, 0"
                + " filtered, 0 open\\|filtered");
  }

  /**
   * In a private network namespace (and user namespace, as ScanIT's): a peer that answers DNS
   * queries only, on 53 and on 54, and nftables rules that drop datagrams to 7777 and reject those
   * to 7778 with "administratively prohibited". The DNS query sent to 53 makes it answer; on 54 it
   * gets an empty-ish datagram and stays silent.
   */
  @Test
  void dnsAnswersItsQueryDroppedIsOpenFilteredRejectedIsFiltered() throws Exception {
    String setup =
        "ip link set lo up && nft add table inet t"
            + " && nft add chain inet t in '{ type filter hook input priority 0; }'"
            + " && nft add rule inet t in udp dport 7777 drop"
            + " && nft add rule inet t in udp dport 7778 reject with icmp type admin-prohibited"
            + " && { python3 -c \"$PEER\" dns 53 > /dev/null & a=$!;"
            + " python3 -c \"$PEER\" dns 54 > /dev/null & b=$!; }"
            + " && i=0; until [ \"$(ss -Hlun | wc -l)\" -ge 2 ]; do i=$((i+1));"
            + " [ $i -gt 200 ] && exit 99; sleep 0.05; done;"
            + " \"$0\" \"$@\"; status=$?; kill $a $b; exit $status";
    Path out = dir.resolve("json");
    Child wharf =
        Child.wharfUnder(
            List.of("unshare", "-r", "-n", "sh", "-c", setup),
            Map.of("PEER", PEER),
            null,
            out,
            "scan",
            "-sU",
            "127.0.0.1",
            "53,54,7777,7778,7779",
            "--timeout",
            "0.5",
            "--retries",
            "1",
            "--json",
            "-v");
    try {
      assertThat(wharf.awaitExit(Duration.ofSeconds(40))).as("%s", wharf.errLines()).isZero();
    } finally {
      wharf.end();
    }
    String json = Files.readString(out);
    assertThat(states(json))
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    53, "open",
                    54, "open|filtered",
                    7777, "open|filtered",
                    7778, "filtered",
                    7779, "closed")));
    assertThat(json).contains("\"reason\":\"no-response\"").contains("\"reason\":\"host-unreach\"");
    // Honoured: two tries of half a second each for the silent ports, the JVM's start aside.
    assertThat(Double.parseDouble(json.replaceAll("(?s).*\"seconds\":([\\d.]+).*", "$1").strip()))
        .isBetween(0.95, 10.0);
  }

  /**
   * ICMP port unreachables limited as a remote Linux host limits them (here by an nftables rule on
   * the way out, 5 a second after a burst of 5, since loopback is exempt from the kernel's own
   * limit): the first round hears few of 40 closed ports, the retries hear the rest, more slowly.
   */
  @Test
  void rateLimitedUnreachablesAreFoundClosedOnRetries() throws Exception {
    int first = 20000;
    String setup =
        "ip link set lo up && nft add table inet t"
            + " && nft add chain inet t out '{ type filter hook output priority 0; }'"
            + " && nft add rule inet t out icmp type destination-unreachable"
            + " limit rate over 5/second burst 5 packets drop"
            + " && exec \"$0\" \"$@\"";
    Path out = dir.resolve("json");
    Child wharf =
        Child.wharfUnder(
            List.of("unshare", "-r", "-n", "sh", "-c", setup),
            Map.of(),
            null,
            out,
            "scan",
            "-sU",
            "127.0.0.1",
            first + "-" + (first + 39),
            "--timeout",
            "0.5",
            "--retries",
            "6",
            "--json",
            "-v");
    try {
      assertThat(wharf.awaitExit(Duration.ofSeconds(50))).as("%s", wharf.errLines()).isZero();
    } finally {
      wharf.end();
    }
    String json = Files.readString(out);
    assertThat(json).contains("\"closed\":40");
    assertThat(wharf.errLines()).anyMatch(line -> line.contains("answered only on a retry"));
  }

  private String wharfScan(List<String> args) throws Exception {
    Path out = dir.resolve("scan-" + System.nanoTime());
    Child wharf = wharf(null, out, args.toArray(String[]::new));
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    return Files.readString(out);
  }

  private static Map<Integer, String> states(String json) {
    return JSON_PORT
        .matcher(json)
        .results()
        .collect(
            Collectors.toMap(
                m -> Integer.parseInt(m.group(1)), m -> m.group(2), (a, b) -> a, TreeMap::new));
  }

  private static Map<Integer, String> nmapStates(String list) throws Exception {
    var result =
        ExternalProcess.run(
            Duration.ofSeconds(60), "nmap", "-sU", "-Pn", "-p", list, "-oG", "-", "127.0.0.1");
    String ports =
        result.out().lines().filter(line -> line.contains("Ports: ")).findFirst().orElseThrow();
    return NMAP_PORT
        .matcher(ports)
        .results()
        .collect(
            Collectors.toMap(
                m -> Integer.parseInt(m.group(1)), m -> m.group(2), (a, b) -> a, TreeMap::new));
  }
}
