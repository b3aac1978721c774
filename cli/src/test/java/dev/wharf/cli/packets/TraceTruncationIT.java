package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.Await;
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
import org.junit.jupiter.api.Timeout;

/**
 * Packets cut by a small snap length, as tcpdump marks them: {@code wharf trace -s 62} and {@code
 * tcpdump -s 62} capture the same TCP connection (its options cut), IPv4 and IPv6 echoes and a
 * datagram on one end of a veth pair between namespaces the test makes; both files read alike, and
 * Wharf's lines of tcpdump's file are tcpdump's, "[|tcp]" and all. Shorter cuts of the same file
 * (editcap -s: ports only, an echo after 4 bytes, no options at all) too. Needs root, and editcap
 * (Debian's tshark).
 */
class TraceTruncationIT extends EndToEnd {
  private static final String FILTER =
      "icmp or (icmp6 and net fd76::/64) or udp port 4444 or tcp port 5555";

  private VethPair veth;

  @BeforeEach
  void makeTheNamespaces() throws IOException {
    veth =
        VethPair.create(
            "wc", List.of("10.76.0.1/24", "fd76::1/64"), List.of("10.76.0.2/24", "fd76::2/64"));
  }

  @AfterEach
  void removeTheNamespaces() throws Exception {
    endChildren();
    veth.close();
  }

  @Test
  @Timeout(180)
  void aSnapLengthCutsAndMarksPacketsAsTcpdumps() throws Exception {
    String link = veth.hereLink();
    Path ours = dir.resolve("ours.pcap");
    Path theirs = dir.resolve("theirs.pcap");
    Child tcpdump =
        peer(
            null,
            null,
            inHere(
                "tcpdump",
                "--immediate-mode",
                "-U",
                "-n",
                "-s",
                "62",
                "-w",
                theirs.toString(),
                "-i",
                link,
                FILTER));
    Child wharf =
        Child.wharfUnder(
            veth.inHere(),
            Map.of(),
            null,
            null,
            "trace",
            "-s",
            "62",
            "-w",
            ours.toString(),
            "-i",
            link,
            FILTER);
    try {
      awaitListening(tcpdump, link);
      awaitListening(wharf, link);
      peer(null, null, inHere("socat", "-u", "TCP-LISTEN:5555,reuseaddr", "OPEN:/dev/null"));
      inThere("ping -c 1 10.76.0.1");
      inThere("ping -6 -c 1 fd76::1");
      inThere("sleep 0.5; echo hello | socat -u - TCP:10.76.0.1:5555");
      inThere("echo datagram | socat -u - UDP:10.76.0.1:4444");
      inThere("sleep 1");
    } finally {
      wharf.signal("TERM");
      tcpdump.signal("TERM");
    }
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    tcpdump.awaitExit(Duration.ofSeconds(30));

    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines)
        // 62 bytes: the SYN's options to the timestamp's kind and length; not -s 59 or 60, where
        // tcpdump keeps 58 bytes of these frames (libpcap's doing, not yet Wharf's).
        .anyMatch(line -> line.endsWith("options [mss 1460,sackOK,TS [|tcp]>"))
        .anyMatch(line -> line.endsWith("options [nop,nop,TS [|tcp]>"))
        .anyMatch(line -> line.endsWith("10.76.0.2:  [|icmp]"));
    assertThat(tcpdumpRead(ours)).isEqualTo(theirLines);
    assertThat(wharfRead(theirs)).isEqualTo(theirLines);

    // Shorter cuts of tcpdump's file: the addresses alone, the ports, an echo's first 4 bytes,
    // the fixed TCP header without one byte of its options, an option's kind and length only.
    var marks = new ArrayList<String>();
    for (int snap : new int[] {36, 38, 40, 54, 56}) {
      Path cut = dir.resolve("cut" + snap + ".pcap");
      var editcap =
          ExternalProcess.run(
              Duration.ofSeconds(30),
              "editcap",
              "-s",
              Integer.toString(snap),
              theirs.toString(),
              cut.toString());
      assertThat(editcap.exit()).as(editcap.err()).isZero();
      List<String> cutLines = tcpdumpRead(cut);
      assertThat(wharfRead(cut)).as("cut at %d", snap).isEqualTo(cutLines);
      marks.addAll(cutLines);
    }
    assertThat(marks)
        .anyMatch(line -> line.endsWith("10.76.0.1: [|tcp]"))
        .anyMatch(line -> line.matches(".*\\.5555:  \\[\\|tcp\\]"))
        .anyMatch(line -> line.matches(".*\\.4444:  \\[\\|udp\\]"))
        .anyMatch(line -> line.endsWith("10.76.0.1:  [|icmp]"))
        .anyMatch(line -> line.endsWith("options [ [|tcp]"))
        .anyMatch(line -> line.endsWith("options [mss [|tcp]"))
        .anyMatch(line -> line.endsWith(": ICMP6, echo request [|icmp6]"));
  }

  /** A JVM starting on a loaded machine may take longer than Child's default wait. */
  private static void awaitListening(Child child, String iface) {
    Await.until(
        "listening on " + iface,
        Duration.ofSeconds(60),
        () -> child.errLines().stream().anyMatch(line -> line.contains("listening on " + iface)));
  }

  private List<String> wharfRead(Path file) throws Exception {
    Path text = Files.createTempFile(dir, "read", ".txt");
    // -n, as the tcpdump -n it is compared with: names are the default.
    Child reader = wharf(null, text, "trace", "-n", "-r", file.toString());
    assertThat(reader.awaitExit(Duration.ofSeconds(60))).as("%s", reader.errLines()).isZero();
    return withoutTimes(Files.readAllLines(text));
  }

  private static List<String> tcpdumpRead(Path file) throws IOException {
    var result =
        ExternalProcess.run(Duration.ofSeconds(30), "tcpdump", "-n", "-r", file.toString());
    assertThat(result.exit()).as(result.err()).isZero();
    return withoutTimes(result.out().lines().toList());
  }

  private static List<String> withoutTimes(List<String> lines) {
    return lines.stream()
        .map(line -> line.replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} ", ""))
        .toList();
  }

  private String[] inHere(String... command) {
    var words = new ArrayList<>(veth.inHere());
    words.addAll(List.of(command));
    return words.toArray(String[]::new);
  }

  private void inThere(String script) throws IOException {
    var result = veth.shThere(script);
    assertThat(result.exit()).as("%s: %s", script, result.err()).isZero();
  }
}
