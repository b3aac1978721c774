package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.VethPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Names without -n for an address whose PTR record names a host that has no address record (common
 * outside one's own zones): tcpdump prints the name (gethostbyaddr takes it as it is), and so must
 * Wharf, where the JDK's getHostName would look the name up again and give the number back. A
 * namespace the test makes gets its own resolv.conf (ip netns exec mounts /etc/netns/NAME/ files
 * over /etc's) pointing at {@code wharf dns serve} on its loopback, which serves the PTR record
 * only. Needs root.
 */
class TraceNamesIT extends EndToEnd {
  private static final String ZONE =
      """
      $ORIGIN 73.10.in-addr.arpa.
      $TTL 60
      @ IN SOA ns.example. admin.example. 1 60 60 60 60
      @ IN NS ns.example.
      5.0 IN PTR ghost.example.
      """;

  private VethPair veth;
  private Path etc;
  private boolean madeNetnsDirectory;

  @BeforeEach
  void makeTheNamespaceAndItsResolver() throws IOException {
    veth = VethPair.create("wn", List.of("10.73.0.1/24"), List.of("10.73.0.2/24"));
    Path netns = Path.of("/etc/netns");
    madeNetnsDirectory = !Files.isDirectory(netns);
    etc = Files.createDirectories(netns.resolve(veth.here()));
    Files.writeString(etc.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions attempts:1\n");
    Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n");
  }

  @AfterEach
  void removeThem() throws Exception {
    endChildren();
    Files.deleteIfExists(etc.resolve("resolv.conf"));
    Files.deleteIfExists(etc.resolve("hosts"));
    Files.deleteIfExists(etc);
    if (madeNetnsDirectory) {
      try (var left = Files.list(etc.getParent())) {
        if (left.findAny().isEmpty()) {
          Files.delete(etc.getParent());
        }
      }
    }
    veth.close();
  }

  @Test
  @Timeout(120)
  void aNameWhoseAddressRecordIsMissingIsPrintedAsTcpdumpPrintsIt() throws Exception {
    assertThat(veth.shHere("ip link set lo up").exit()).isZero();
    Path zone = Files.writeString(dir.resolve("reverse.zone"), ZONE);
    var serve = new ArrayList<>(veth.inHere());
    Child dns =
        Child.wharfUnder(
            serve,
            Map.of(),
            null,
            dir.resolve("dns.out"),
            "dns",
            "serve",
            "--zone",
            zone.toString(),
            "-p",
            "53",
            "-b",
            "127.0.0.1");
    try {
      dns.awaitErr("zone on udp and tcp 127\\.0\\.0\\.1:53");
      // The PTR record, and no way back from its name: what the JDK's check would refuse.
      var reverse =
          ExternalProcess.run(Duration.ofSeconds(20), inHere("getent", "hosts", "10.73.0.5"));
      assertThat(reverse.out()).contains("ghost.example");
      var forward =
          ExternalProcess.run(Duration.ofSeconds(20), inHere("getent", "hosts", "ghost.example"));
      assertThat(forward.exit()).isNotZero();

      Path file = udpDatagram(dir.resolve("one.pcap"));
      var tcpdump =
          ExternalProcess.run(Duration.ofSeconds(30), inHere("tcpdump", "-r", file.toString()));
      List<String> theirs = withoutTimes(tcpdump.out().lines().toList());
      assertThat(theirs).containsExactly("IP ghost.example.4000 > 10.73.0.6.4444: UDP, length 4");

      Path out = dir.resolve("trace.out");
      Child trace =
          Child.wharfUnder(veth.inHere(), Map.of(), null, out, "trace", "-r", file.toString());
      assertThat(trace.awaitExit(Duration.ofSeconds(60))).as("%s", trace.errLines()).isZero();
      assertThat(withoutTimes(Files.readAllLines(out))).isEqualTo(theirs);
    } finally {
      dns.end();
    }
  }

  private List<String> inHere(String... command) {
    var all = new ArrayList<>(veth.inHere());
    all.addAll(List.of(command));
    return all;
  }

  private static List<String> withoutTimes(List<String> lines) {
    return lines.stream().map(line -> line.substring(line.indexOf(' ') + 1)).toList();
  }

  /** A pcap file of one Ethernet frame: a UDP datagram from 10.73.0.5:4000 to 10.73.0.6:4444. */
  private static Path udpDatagram(Path file) throws IOException {
    byte[] frame =
        HexFormat.of()
            .parseHex(
                "020000000002020000000001"
                    + "0800"
                    + "45000020000140004011"
                    + "0000" // IP checksum: tcpdump checks it only with -v
                    + "0a490005"
                    + "0a490006"
                    + "0fa0115c000c0000"
                    + "74657374");
    var bytes = new ByteArrayOutputStream();
    var header = ByteBuffer.allocate(24 + 16).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    header.putInt(65535).putInt(1); // snap length, LINKTYPE_ETHERNET
    header.putInt(1).putInt(0).putInt(frame.length).putInt(frame.length);
    bytes.write(header.array());
    bytes.write(frame);
    return Files.write(file, bytes.toByteArray());
  }
}
