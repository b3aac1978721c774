package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.VethPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf trace -r} on a pcapng file Wireshark's dumpcap wrote while capturing on three
 * interfaces at once, of three link types: one end of a veth pair (Ethernet), a tun device (raw IP)
 * and {@code any} (Linux cooked), in network namespaces the test makes. libpcap, and so tcpdump,
 * refuses such a file; the test splits it into one file per interface (its blocks copied, nothing
 * decoded) for tcpdump to read, and puts tcpdump's lines back in the file's order: Wharf's lines of
 * the whole file must be those, timestamps (dumpcap's are in nanoseconds) included. Needs root and
 * dumpcap (Debian's tshark).
 */
class TraceDumpcapIT extends EndToEnd {
  /** What the test sends; not the neighbour and router discovery of links coming up. */
  private static final String FILTER = "icmp or udp port 4444";

  /**
   * A tun device named argv[1] in raw IP mode (IFF_TUN | IFF_NO_PI), held open and drained: its
   * packets go nowhere, but a capture on it sees them leave. "ready" on stderr once it exists.
   */
  private static final String TUN_PY =
      """
      import fcntl, os, struct, sys
      fd = os.open("/dev/net/tun", os.O_RDWR)
      fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))
      print("ready", file=sys.stderr, flush=True)
      while True:
          os.read(fd, 65536)
      """;

  /**
   * Splits the pcapng file argv[1] into argv[2]/ifN.pcapng, one per interface: its section, its
   * interface block, and the packet and statistics blocks of that interface, renumbered 0. Prints
   * each packet's interface, in the file's order. Copies blocks, decodes no packet and no time.
   */
  private static final String SPLIT_PY =
      """
      import struct, sys
      data = open(sys.argv[1], "rb").read()
      files, order, at, e, section = {}, [], 0, "<", b""
      while at < len(data):
          if data[at:at + 4] == b"\\x0a\\x0d\\x0d\\x0a":
              e = "<" if data[at + 8:at + 12] == b"\\x4d\\x3c\\x2b\\x1a" else ">"
          kind, length = struct.unpack_from(e + "II", data, at)
          block = bytearray(data[at:at + length])
          at += length
          if kind == 0x0a0d0d0a:
              section = bytes(block)
          elif kind == 1:
              files[len(files)] = bytearray(section) + block
          elif kind in (5, 6):
              n = struct.unpack_from(e + "I", block, 8)[0]
              struct.pack_into(e + "I", block, 8, 0)
              files[n] += block
              if kind == 6:
                  order.append(n)
      for n, content in files.items():
          open("%s/if%d.pcapng" % (sys.argv[2], n), "wb").write(content)
      print(" ".join(map(str, order)))
      """;

  /**
   * Rewrites the one-interface pcapng file argv[1] as argv[2]: one big-endian section (as written
   * on s390x), its interface's timestamps in units of 2^-20 s (if_tsresol 0x94, rounded down from
   * the input's), every third packet as a simple packet block (no timestamp). No packet decoded.
   */
  private static final String BIG_ENDIAN_PY =
      """
      import struct, sys
      data = open(sys.argv[1], "rb").read()
      out, at, e, per_second, n = bytearray(), 0, "<", 10**6, 0
      def block(kind, body):
          return struct.pack(">II", kind, 12 + len(body)) + body + struct.pack(">I", 12 + len(body))
      while at < len(data):
          if data[at:at + 4] == b"\\x0a\\x0d\\x0d\\x0a":
              e = "<" if data[at + 8:at + 12] == b"\\x4d\\x3c\\x2b\\x1a" else ">"
          kind, length = struct.unpack_from(e + "II", data, at)
          body = data[at + 8:at + length - 4]
          at += length
          if kind == 0x0a0d0d0a:
              out += block(kind, struct.pack(">IHHq", 0x1a2b3c4d, 1, 0, -1))
          elif kind == 1:
              link_type, _, snap = struct.unpack_from(e + "HHI", body, 0)
              o = 8
              while o + 4 <= len(body):
                  code, size = struct.unpack_from(e + "HH", body, o)
                  if code == 0:
                      break
                  if code == 9:
                      per_second = 10 ** body[o + 4]
                  o += 4 + (size + 3) // 4 * 4
              options = struct.pack(">HHB3x", 9, 1, 0x80 | 20) + struct.pack(">HH", 0, 0)
              out += block(1, struct.pack(">HHI", link_type, 0, snap) + options)
          elif kind == 6:
              _, high, low, cap, wire = struct.unpack_from(e + "IIIII", body, 0)
              packet = body[20:20 + cap] + b"\\0" * (-cap % 4)
              n += 1
              if n % 3 == 0:
                  out += block(3, struct.pack(">I", wire) + packet)
              else:
                  ticks = ((high << 32) | low) * 2**20 // per_second
                  out += block(6, struct.pack(">IIIII", 0, ticks >> 32, ticks & 0xffffffff, cap, wire) + packet)
      open(sys.argv[2], "wb").write(out)
      """;

  private VethPair veth;

  @BeforeEach
  void makeTheNamespaces() throws IOException {
    veth = VethPair.create("wd", List.of("10.74.0.1/24"), List.of("10.74.0.2/24"));
  }

  @AfterEach
  void removeTheNamespaces() throws Exception {
    endChildren();
    veth.close();
  }

  @Test
  @Timeout(180)
  void aDumpcapFileOfThreeLinkTypesReadsAsTcpdumpReadsEachInterface() throws Exception {
    Path tunScript = dir.resolve("tun.py");
    Files.writeString(tunScript, TUN_PY);
    Child tun = peer(null, null, inHere("/usr/bin/python3", tunScript.toString(), "tun0"));
    tun.awaitErr("ready");
    sh("ip link set tun0 up && ip addr add 10.75.0.1/24 dev tun0");

    // Two echoes across the veth pair (4 packets, on the pair's end and on any) and a datagram
    // into the tun device (on it and on any): 10 packets. A filter before the first -i is every
    // interface's.
    Path file = dir.resolve("three.pcapng");
    Child dumpcap =
        peer(
            null,
            null,
            inHere(
                "dumpcap",
                "-q",
                "-c",
                "10",
                "-f",
                FILTER,
                "-i",
                veth.hereLink(),
                "-i",
                "tun0",
                "-i",
                "any",
                "-w",
                file.toString()));
    dumpcap.awaitErr("^File: "); // printed once every interface is open
    var ping = ExternalProcess.run(Duration.ofSeconds(20), inThere("ping -c 2 -i 0.2 10.74.0.1"));
    assertThat(ping.exit()).as(ping.err()).isZero();
    sh("echo datagram | socat -u - UDP:10.75.0.2:4444");
    assertThat(dumpcap.awaitExit(Duration.ofSeconds(30))).as("%s", dumpcap.errLines()).isZero();

    // tcpdump refuses the file as a whole: what this test is about.
    var whole = ExternalProcess.run(Duration.ofSeconds(30), "tcpdump", "-n", "-r", file.toString());
    assertThat(whole.err()).contains("different from the type of the first interface");

    Path split = Files.createDirectories(dir.resolve("split"));
    Path splitScript = dir.resolve("split.py");
    Files.writeString(splitScript, SPLIT_PY);
    var splitting =
        ExternalProcess.run(
            Duration.ofSeconds(30),
            "/usr/bin/python3",
            splitScript.toString(),
            file.toString(),
            split.toString());
    assertThat(splitting.exit()).as(splitting.err()).isZero();
    List<Integer> order =
        Arrays.stream(splitting.out().strip().split(" ")).map(Integer::valueOf).toList();
    assertThat(order).hasSize(10).contains(0, 1, 2);
    assertThat(linkTypes(split))
        .containsExactly("EN10MB (Ethernet)", "RAW (Raw IP)", "LINUX_SLL (Linux cooked v1)");

    List<String> lines = tcpdumpInFileOrder(split, order);
    assertThat(lines).filteredOn(line -> line.contains(": ICMP echo request, id ")).hasSize(4);
    assertThat(lines).filteredOn(line -> line.endsWith("10.75.0.2.4444: UDP, length 9")).hasSize(2);
    assertThat(wharfRead("-r", file.toString())).isEqualTo(lines);
    // -e: each packet's link header as its own interface's (Ethernet, "ip: ", cooked).
    List<String> linkLines = tcpdumpInFileOrder(split, order, "-e");
    assertThat(linkLines)
        .anyMatch(line -> line.contains(" ip: 10.75.0.1."))
        .anyMatch(line -> line.contains(" Out ethertype IPv4 (0x0800), length "))
        .anyMatch(line -> line.contains(", ethertype IPv4 (0x0800), length 98: "));
    assertThat(wharfRead("-e", "-r", file.toString())).isEqualTo(linkLines);
    // The nanoseconds dumpcap wrote (if_tsresol 9), as tcpdump --nano -tt prints them.
    List<String> nanos = tcpdumpInFileOrder(split, order, "--nano", "-tt");
    assertThat(wharfTimes(file)).isEqualTo(nanos.stream().map(line -> line.split(" ")[0]).toList());
    // --json names each packet's interface: its index in the file, and dumpcap's if_name.
    var names = List.of(veth.hereLink(), "tun0", "any");
    List<String> interfaces =
        wharfRead("--json", "-r", file.toString()).stream()
            .map(line -> line.replaceFirst("^.*?\"interface\":(\\{[^}]*\\}).*$", "$1"))
            .toList();
    assertThat(interfaces)
        .isEqualTo(
            order.stream()
                .map(n -> "{\"index\":" + n + ",\"name\":\"" + names.get(n) + "\"}")
                .toList());
    // A filter is compiled for each link type: the datagram on the tun device and on any.
    assertThat(wharfRead("-r", file.toString(), "udp"))
        .isEqualTo(tcpdumpFiltered(split, order, "udp"))
        .hasSize(2);
  }

  /**
   * dumpcap's capture of one interface, rewritten big-endian, with binary timestamps (2^-20 s) and
   * simple packet blocks: tcpdump reads it, and Wharf's lines (times included) and its --json times
   * to the nanosecond are tcpdump's.
   */
  @Test
  @Timeout(180)
  void aBigEndianSectionWithSimplePacketsAndBinaryTicksReadsAsTcpdumpReadsIt() throws Exception {
    Path file = dir.resolve("one.pcapng");
    Child dumpcap =
        peer(
            null,
            null,
            inHere(
                "dumpcap",
                "-q",
                "-c",
                "6",
                "-f",
                "icmp",
                "-i",
                veth.hereLink(),
                "-w",
                file.toString()));
    dumpcap.awaitErr("^File: ");
    var ping = ExternalProcess.run(Duration.ofSeconds(20), inThere("ping -c 3 -i 0.2 10.74.0.1"));
    assertThat(ping.exit()).as(ping.err()).isZero();
    assertThat(dumpcap.awaitExit(Duration.ofSeconds(30))).as("%s", dumpcap.errLines()).isZero();

    Path script = dir.resolve("big-endian.py");
    Files.writeString(script, BIG_ENDIAN_PY);
    Path bigEndian = dir.resolve("big-endian.pcapng");
    var rewrite =
        ExternalProcess.run(
            Duration.ofSeconds(30),
            "/usr/bin/python3",
            script.toString(),
            file.toString(),
            bigEndian.toString());
    assertThat(rewrite.exit()).as(rewrite.err()).isZero();
    byte[] head = Arrays.copyOf(Files.readAllBytes(bigEndian), 12);
    assertThat(Arrays.copyOfRange(head, 8, 12)).containsExactly(0x1a, 0x2b, 0x3c, 0x4d);

    var plain =
        ExternalProcess.run(Duration.ofSeconds(30), "tcpdump", "-n", "-r", bigEndian.toString());
    assertThat(plain.exit()).as(plain.err()).isZero();
    List<String> lines = plain.out().lines().toList();
    assertThat(lines).hasSize(6).filteredOn(line -> line.contains(": ICMP echo ")).hasSize(6);
    assertThat(wharfRead("-r", bigEndian.toString())).isEqualTo(lines);
    var nanos =
        ExternalProcess.run(
            Duration.ofSeconds(30), "tcpdump", "-n", "--nano", "-tt", "-r", bigEndian.toString());
    List<String> times = nanos.out().lines().map(line -> line.split(" ")[0]).toList();
    assertThat(times).contains("0.000000000").anyMatch(time -> !time.startsWith("0."));
    assertThat(wharfTimes(bigEndian)).isEqualTo(times);
  }

  /** tcpdump's lines of each interface's file, put in the order of the packets in the whole. */
  private static List<String> tcpdumpInFileOrder(Path split, List<Integer> order, String... options)
      throws IOException {
    var perInterface = new TreeMap<Integer, Iterator<String>>();
    for (int n : order.stream().distinct().toList()) {
      perInterface.put(n, tcpdumpRead(split, n, options).iterator());
    }
    var lines = new ArrayList<String>();
    for (int n : order) {
      assertThat(perInterface.get(n).hasNext()).as("a line for interface %d", n).isTrue();
      lines.add(perInterface.get(n).next());
    }
    return lines;
  }

  /** The lines of the whole file's packets that tcpdump's {@code filter} keeps, in its order. */
  private static List<String> tcpdumpFiltered(Path split, List<Integer> order, String filter)
      throws IOException {
    var kept = new ArrayList<String>();
    for (int n : order.stream().distinct().toList()) {
      kept.addAll(tcpdumpRead(split, n, filter));
    }
    return tcpdumpInFileOrder(split, order).stream().filter(kept::contains).toList();
  }

  private static List<String> tcpdumpRead(Path split, int n, String... more) throws IOException {
    var command =
        new ArrayList<>(
            List.of("tcpdump", "-n", "-r", split.resolve("if" + n + ".pcapng").toString()));
    command.addAll(List.of(more));
    var result = ExternalProcess.run(Duration.ofSeconds(30), command);
    assertThat(result.exit()).as(result.err()).isZero();
    return result.out().lines().toList();
  }

  /** The link type tcpdump names for each interface's file ("EN10MB (Ethernet)"). */
  private static List<String> linkTypes(Path split) throws IOException {
    var names = new ArrayList<String>();
    for (int n = 0; Files.exists(split.resolve("if" + n + ".pcapng")); n++) {
      var result =
          ExternalProcess.run(
              Duration.ofSeconds(30),
              "tcpdump",
              "-c",
              "1",
              "-r",
              split.resolve("if" + n + ".pcapng").toString());
      var matcher =
          java.util.regex.Pattern.compile("link-type (.*?), snapshot").matcher(result.err());
      assertThat(matcher.find()).as(result.err()).isTrue();
      names.add(matcher.group(1));
    }
    return names;
  }

  /** Each packet's time from --json, as seconds.nanoseconds since the epoch. */
  private List<String> wharfTimes(Path file) throws Exception {
    var times = new ArrayList<String>();
    for (String line : wharfRead("--json", "-r", file.toString())) {
      var matcher = java.util.regex.Pattern.compile("\"time\":\"([^\"]+)\"").matcher(line);
      assertThat(matcher.find()).as(line).isTrue();
      Instant time = Instant.parse(matcher.group(1));
      times.add(String.format("%d.%09d", time.getEpochSecond(), time.getNano()));
    }
    return times;
  }

  /** wharf trace with these arguments and -n, as the tcpdump it is compared with. */
  private List<String> wharfRead(String... args) throws Exception {
    Path text = Files.createTempFile(dir, "read", ".txt");
    var command = new ArrayList<>(List.of("trace", "-n"));
    command.addAll(List.of(args));
    Child reader = wharf(null, text, command.toArray(String[]::new));
    assertThat(reader.awaitExit(Duration.ofSeconds(60))).as("%s", reader.errLines()).isZero();
    return Files.readAllLines(text);
  }

  private String[] inHere(String... command) {
    var words = new ArrayList<>(veth.inHere());
    words.addAll(List.of(command));
    return words.toArray(String[]::new);
  }

  private List<String> inThere(String script) {
    var words = new ArrayList<>(veth.inThere());
    words.addAll(List.of("sh", "-c", script));
    return words;
  }

  private void sh(String script) throws IOException {
    var result = veth.shHere(script);
    assertThat(result.exit()).as("%s: %s", script, result.err()).isZero();
  }
}
