package dev.wharf.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.scan.TopPorts;
import dev.wharf.testkit.ExternalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf scan} against ports the test opens with socat, compared with nmap's connect scan.
 */
class ScanIT extends EndToEnd {
  private static final Pattern JSON_PORT =
      Pattern.compile("\\{\"port\":(\\d+),\"protocol\":\"tcp\",\"state\":\"(\\w+)\"");
  private static final Pattern NMAP_PORT = Pattern.compile("(\\d+)/(\\w+)/tcp/");

  @Test
  void openClosedAndBannerAgreeWithNmap() throws Exception {
    int plain =
        socatPort(
            peer(null, null, "socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1,fork", "PIPE"));
    int greeting =
        socatPort(
            peer(
                null,
                null,
                "socat",
                "-d",
                "-d",
                "TCP-LISTEN:0,bind=127.0.0.1,fork",
                "SYSTEM:echo SSH-2.0-Wharf_Test\\, hello"));
    int closedA = closedPort();
    int closedB = closedPort();
    String list = plain + "," + greeting + "," + closedA + "," + closedB;

    Map<Integer, String> ours = scanJson(wharfScan("127.0.0.1", list, "--banner", "-v"));
    Map<Integer, String> nmap = nmapStates(list);

    assertThat(ours)
        .containsEntry(plain, "open")
        .containsEntry(greeting, "open")
        .containsEntry(closedA, "closed")
        .containsEntry(closedB, "closed")
        .isEqualTo(nmap);
    assertThat(lastOutput).contains("\"banner\":\"SSH-2.0-Wharf_Test, hello\"");
  }

  /**
   * Every port, in a network namespace of the test's own where nothing else listens, so the whole
   * result is known: the listeners open, every other port closed. (A scan of all ports also meets
   * connects that the kernel gives their own target port as the local one, which then reach
   * themselves: those ports are closed, not open.) nmap scans the ranges around the listeners the
   * same way: all 65,535 would take it minutes on a loaded machine, and bench/scan/run compares
   * all.
   */
  @Test
  @org.junit.jupiter.api.Timeout(300)
  void everyPortOfAPrivateLoopbackAgreesWithNmap() throws Exception {
    try (var peer = dev.wharf.cli.NamespacePeer.start()) {
      List<Integer> open = List.of(22, 80, 8080, 40000, 65535);
      for (int port : open) {
        peer.send("listen l" + port + " " + port);
      }
      Path out = dir.resolve("all.json");
      Child wharf = wharfIn(peer, out, "scan", "127.0.0.1", "-p-", "--json");
      assertThat(wharf.awaitExit(Duration.ofSeconds(180))).isZero();
      String json = Files.readString(out);
      assertThat(scanJson(json).keySet()).containsExactlyElementsOf(open);
      assertThat(json).contains("\"scanned\":65535", "\"closed\":65530", "\"filtered\":0");

      String ranges = "1-2000,8000-8100,39000-41000,65000-65535"; // 4,638 ports, 5 open
      var nmap =
          ExternalProcess.run(
              Duration.ofSeconds(180),
              peer.inside(
                  "nmap", "-sT", "-p", ranges, "-T4", "-n", "-Pn", "-oG", "-", "127.0.0.1"));
      String ports =
          nmap.out().lines().filter(line -> line.contains("Ports: ")).findFirst().orElseThrow();
      assertThat(NMAP_PORT.matcher(ports).results().map(m -> Integer.parseInt(m.group(1))).toList())
          .containsExactlyElementsOf(open);
      assertThat(ports).contains("Ignored State: closed (4633)");
    }
  }

  @Test
  void ipv6LoopbackIsScannedToo() throws Exception {
    int open =
        socatPort6(peer(null, null, "socat", "-d", "-d", "TCP6-LISTEN:0,bind=[::1],fork", "PIPE"));
    int closed = closedPort();
    Path out = dir.resolve("table");
    Child wharf = wharf(null, out, "scan", "::1", open + "," + closed);
    assertThat(wharf.awaitExit()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).first().isEqualTo("wharf scan report for ::1");
    assertThat(lines).contains("Not shown: 1 closed tcp port (conn-refused)");
    assertThat(lines).anyMatch(line -> line.matches(open + "/tcp +open +\\S+"));
    assertThat(lines.getLast())
        .matches("wharf done: 2 ports of ::1 scanned in [\\d.]+ s: 1 open, 1 closed, 0 filtered");
  }

  @Test
  void aDroppedPortIsFilteredWithinTheTimeout() throws Exception {
    int dropped = 7777;
    int closed = 7778;
    // A private network namespace, its loopback up, with a rule that drops SYNs to one port. In a
    // user namespace of its own too (-r), so that it needs no root: CI may run the tests as a user.
    String setup =
        "ip link set lo up && nft add table inet t"
            + " && nft add chain inet t in '{ type filter hook input priority 0; }'"
            + " && nft add rule inet t in tcp dport "
            + dropped
            + " drop && exec \"$0\" \"$@\"";
    Path out = dir.resolve("json");
    Child wharf =
        Child.wharfUnder(
            List.of("unshare", "-r", "-n", "sh", "-c", setup),
            Map.of(),
            null,
            out,
            "scan",
            "127.0.0.1",
            dropped + "," + closed,
            "--timeout",
            "0.5",
            "--max-retries",
            "2",
            "--json",
            "-v");
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    String json = Files.readString(out);
    assertThat(scanJson(json))
        .containsExactlyEntriesOf(new TreeMap<>(Map.of(dropped, "filtered", closed, "closed")));
    assertThat(json).contains("\"reason\":\"no-response\"").contains("\"filtered\":1");
    // Honoured: the scan (the JVM's start aside) waits the dropped port's half second three times
    // (a try and two retries); the upper bound only says it did not hang, loose for a loaded
    // machine.
    assertThat(Double.parseDouble(json.replaceAll(".*\"seconds\":([\\d.]+).*", "$1").strip()))
        .isBetween(1.45, 10.0);
  }

  /**
   * One probe at a time, so that the socket whose connect timed out (disconnected and reused by the
   * epoll prober) scans the next ports: dropped, closed, dropped, closed, closed; each dropped port
   * is tried twice (the default retry). On both probers: the NIO one is chosen by a system
   * property.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"epoll", "nio"})
  void afterATimeoutTheNextPortsAreScannedToo(String prober) throws Exception {
    String setup =
        "ip link set lo up && nft add table inet t"
            + " && nft add chain inet t in '{ type filter hook input priority 0; }'"
            + " && nft add rule inet t in tcp dport '{ 7777, 7779 }' drop && exec \"$0\" \"$@\"";
    Path out = dir.resolve("json");
    Child wharf =
        Child.wharfUnder(
            List.of("unshare", "-r", "-n", "sh", "-c", setup),
            Map.of("JAVA_TOOL_OPTIONS", "-Dwharf.scan.prober=" + prober),
            null,
            out,
            "scan",
            "127.0.0.1",
            "7777-7781",
            "--concurrency",
            "1",
            "--timeout",
            "0.3",
            "--json",
            "-v");
    assertThat(wharf.awaitExit(Duration.ofSeconds(60))).isZero();
    String json = Files.readString(out);
    assertThat(scanJson(json))
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    7777,
                    "filtered",
                    7778,
                    "closed",
                    7779,
                    "filtered",
                    7780,
                    "closed",
                    7781,
                    "closed")));
    // Two dropped ports, two tries of 0.3 s each, one after the other.
    assertThat(Double.parseDouble(json.replaceAll(".*\"seconds\":([\\d.]+).*", "$1").strip()))
        .isGreaterThanOrEqualTo(1.15);
  }

  @Test
  void theRateSpacesTheConnects() throws Exception {
    int first = closedPort();
    String json = wharfScan("127.0.0.1", first + "-" + (first + 19), "--rate", "40");
    assertThat(json).contains("\"scanned\":20");
    // 20 connects at 40 a second: the last starts 19 intervals (0.475 s) after the first.
    assertThat(Double.parseDouble(json.replaceAll(".*\"seconds\":([\\d.]+).*", "$1").strip()))
        .isGreaterThanOrEqualTo(0.47);
  }

  @Test
  void theDefaultPortsAreNmapsTopThousand() throws Exception {
    var result =
        ExternalProcess.run(
            Duration.ofSeconds(60), "nmap", "-sT", "--top-ports", "1000", "-oX", "-", "127.0.0.1");
    String services = result.out().replaceAll("(?s).*<scaninfo [^>]*services=\"([^\"]+)\".*", "$1");
    int[] nmaps =
        Arrays.stream(services.split(","))
            .flatMapToInt(
                item -> {
                  String[] range = item.split("-");
                  int first = Integer.parseInt(range[0]);
                  int last = Integer.parseInt(range[range.length - 1]);
                  return IntStream.rangeClosed(first, last);
                })
            .toArray();
    assertThat(TopPorts.top(1000).ports().ports()).containsExactly(nmaps);
  }

  private String lastOutput = "";

  private String wharfScan(String host, String ports, String... more) throws Exception {
    Path out = dir.resolve("scan-" + System.nanoTime());
    var args = new java.util.ArrayList<>(List.of("scan", host, ports, "--json"));
    args.addAll(List.of(more));
    Child wharf = wharf(null, out, args.toArray(String[]::new));
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    lastOutput = Files.readString(out);
    return lastOutput;
  }

  private static Map<Integer, String> scanJson(String json) {
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
            Duration.ofSeconds(60), "nmap", "-sT", "-Pn", "-p", list, "-oG", "-", "127.0.0.1");
    String ports =
        result.out().lines().filter(line -> line.contains("Ports: ")).findFirst().orElseThrow();
    return NMAP_PORT
        .matcher(ports)
        .results()
        .collect(
            Collectors.toMap(
                m -> Integer.parseInt(m.group(1)), m -> m.group(2), (a, b) -> a, TreeMap::new));
  }

  private static int socatPort6(Child socat) throws InterruptedException {
    return Integer.parseInt(socat.awaitErr("listening on .*\\]:(\\d+)").group(1));
  }
}
