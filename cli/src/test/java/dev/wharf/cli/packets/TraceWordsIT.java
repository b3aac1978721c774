package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The words of packets a capture seldom holds, read by tcpdump -r and wharf trace -r from one pcap
 * file the test writes: MLDv2 reports, TCP options tcpdump knows beyond Linux's, unknown and
 * malformed ones, every ICMP unreachable code and ICMPv6's errors (an unknown code's hex dump
 * included), and IP protocols no decoder reads (trace_words.hex). With -n (and -v for the MLDv2
 * reports), and without it for the protocols' names (their addresses on loopback, named by
 * /etc/hosts). Needs tcpdump; no root.
 */
class TraceWordsIT extends EndToEnd {
  @Test
  @Timeout(120)
  void rareWordsAreTcpdumps() throws Exception {
    List<byte[]> frames;
    try (var in = getClass().getResourceAsStream("/trace_words.hex")) {
      frames =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
              .lines()
              .filter(line -> !line.startsWith("#") && !line.isBlank())
              .map(line -> HexFormat.of().parseHex(line.strip()))
              .toList();
    }
    assertThat(frames).hasSizeGreaterThan(80);
    Path file = pcap(dir.resolve("words.pcap"), frames);
    List<String> theirs = tcpdump("-n", "-r", file.toString());
    assertThat(theirs)
        .anyMatch(
            line -> line.endsWith("multicast listener report v2, 2 group record(s), length 80"))
        .anyMatch(line -> line.contains("options [nop,nop,nop,nop,[bad opt]]"))
        .anyMatch(line -> line.contains("unreachable - need to frag (mtu 1400)"))
        .anyMatch(line -> line.contains("unknown unreach code (5)"))
        .anyMatch(line -> line.endsWith(":  ip-proto-200 8"));
    assertThat(wharf("-n", "-r", file.toString())).isEqualTo(theirs);
    // -v of the MLDv2 reports (the first three): the hop-by-hop options and each group record.
    List<String> verbose = tcpdump("-n", "-v", "-c", "3", "-r", file.toString());
    assertThat(verbose).allMatch(line -> line.contains(" HBH (rtalert: 0x0000) (padn) [icmp6 sum"));
    assertThat(wharf("-n", "-v", "-c", "3", "-r", file.toString())).isEqualTo(verbose);

    // Without -n: the protocols' names from tcpdump's table.
    Path loopback =
        pcap(
            dir.resolve("protocols.pcap"),
            List.of(
                HexFormat.of()
                    .parseHex(
                        "0200000000020200000000010800"
                            + "4500001c000140004003"
                            + "3ccf"
                            + "7f0000017f000001"
                            + "0000000000000000"),
                HexFormat.of()
                    .parseHex(
                        "0200000000020200000000010800"
                            + "4500001c0001000140fd"
                            + "7bd5"
                            + "7f0000017f000001"
                            + "0000000000000000")));
    List<String> named = tcpdump("-r", loopback.toString());
    assertThat(named)
        .containsExactly(
            "IP localhost > localhost:  ggp 8", "IP localhost > localhost: exptest-253");
    assertThat(wharf("-r", loopback.toString())).isEqualTo(named);
  }

  private static List<String> tcpdump(String... args) throws IOException {
    var command = new java.util.ArrayList<>(List.of("tcpdump"));
    command.addAll(List.of(args));
    var run = ExternalProcess.run(Duration.ofSeconds(30), command);
    assertThat(run.exit()).as(run.err()).isZero();
    return withoutTimes(run.out().lines().toList());
  }

  private List<String> wharf(String... args) throws Exception {
    Path out = Files.createTempFile(dir, "trace", ".txt");
    var command = new java.util.ArrayList<>(List.of("trace"));
    command.addAll(List.of(args));
    Child trace = Child.wharfUnder(List.of(), Map.of(), null, out, command.toArray(String[]::new));
    assertThat(trace.awaitExit(Duration.ofSeconds(60))).as("%s", trace.errLines()).isZero();
    return withoutTimes(Files.readAllLines(out));
  }

  /** Each line without its timestamp; a hex dump's lines (a tab first) as they are. */
  private static List<String> withoutTimes(List<String> lines) {
    return lines.stream()
        .map(line -> line.startsWith("\t") ? line : line.substring(line.indexOf(' ') + 1))
        .toList();
  }

  /** A pcap file of Ethernet frames, one a second from the epoch. */
  private static Path pcap(Path file, List<byte[]> frames) throws IOException {
    var bytes = new ByteArrayOutputStream();
    var header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    header.putInt(65535).putInt(1); // snap length, LINKTYPE_ETHERNET
    bytes.write(header.array());
    int second = 0;
    for (byte[] frame : frames) {
      var record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      record.putInt(++second).putInt(0).putInt(frame.length).putInt(frame.length);
      bytes.write(record.array());
      bytes.write(frame);
    }
    return Files.write(file, bytes.toByteArray());
  }
}
