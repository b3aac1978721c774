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

/**
 * {@code wharf trace} beside tcpdump on one end of a veth pair between two network namespaces the
 * test makes (a real Ethernet layer), with the same filter, while the other end pings (IPv4 and
 * IPv6), sends UDP and opens a TCP connection: the same packets in the same order, as tcpdump reads
 * both files, and the same lines as tcpdump prints for tcpdump's own file. Needs root (CI runs as
 * root), for the named namespaces.
 */
class TraceIT extends EndToEnd {
  /** The start of the Python senders of hand-made frames: imports and the Internet checksum. */
  private static final String RAW_FRAME_PY =
      """
        import socket, struct, sys
        def checksum(b):
            b += b"\\0" * (len(b) % 2)
            total = sum(struct.unpack("!%dH" % (len(b) // 2), b))
            while total >> 16:
                total = (total & 0xffff) + (total >> 16)
            return ~total & 0xffff
        """;

  /**
   * What the test sends; not the router solicitations and duplicate address detection of the links
   * coming up, which may come before either capture starts.
   */
  private static final String FILTER =
      "icmp or (icmp6 and net fd77::/64) or udp port 4444 or tcp port 5555";

  private VethPair veth;
  private String here;
  private String there;
  private String link;

  @BeforeEach
  void makeTheNamespaces() throws IOException {
    veth =
        VethPair.create(
            "wt", List.of("10.77.0.1/24", "fd77::1/64"), List.of("10.77.0.2/24", "fd77::2/64"));
    here = veth.here();
    there = veth.there();
    link = veth.hereLink();
  }

  @AfterEach
  void removeTheNamespaces() throws Exception {
    endChildren();
    veth.close();
  }

  @Test
  void wharfAndTcpdumpCaptureTheSamePacketsAndPrintThemAlike() throws Exception {
    Path ours = dir.resolve("ours.pcap");
    Path theirs = dir.resolve("theirs.pcap");
    Child tcpdump = tcpdumpIn(theirs, "-i", link, FILTER);
    Child wharf = wharfIn("trace", "-i", link, "-w", ours.toString(), FILTER);
    try {
      tcpdump.awaitErr("listening on " + link);
      wharf.awaitErr("listening on " + link);

      inThere("ping -c 3 -i 0.2 10.77.0.1");
      inThere("ping -6 -c 2 -i 0.2 fd77::1");
      tcpSinkHere();
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
    Child reader = wharf(null, text, "trace", "-n", "-r", theirs.toString());
    assertThat(reader.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(withoutTimes(Files.readAllLines(text))).isEqualTo(theirLines);

    // -e: the Ethernet header first, as tcpdump -e prints it for the same packets.
    List<String> theirLinkLines = tcpdumpRead(theirs, "-e");
    assertThat(theirLinkLines)
        .allMatch(line -> line.matches("^([0-9a-f]{2}:){5}[0-9a-f]{2} > .*, ethertype .*"));
    assertThat(wharfRead("-e", "-r", theirs.toString())).isEqualTo(theirLinkLines);
  }

  /**
   * -D lists the devices of the namespace as tcpdump -D does, in its order and with its words: the
   * veth end that is up and linked, any, the loopback, an end that is up but whose peer is down
   * (Disconnected), and that peer, down. tcpdump also lists devices that are no network interface
   * (bluetooth-monitor, nflog, dbus), which no AF_PACKET socket captures on: left out here. -i
   * takes a number of that list, as tcpdump's does.
   */
  @Test
  void listsTheDevicesAsTcpdumpDoesAndTakesTheirNumbers() throws Exception {
    String lonely = "wn" + link.substring(2);
    inHere("ip link add " + lonely + " type veth peer name " + lonely + "p");
    inHere("ip link set " + lonely + " up");

    List<String> ours = wharfReadHere("-D");
    var tcpdump =
        ExternalProcess.run(Duration.ofSeconds(20), "ip", "netns", "exec", here, "tcpdump", "-D");
    assertThat(tcpdump.exit()).as("%s", tcpdump.err()).isZero();
    List<String> names = ours.stream().map(TraceIT::deviceName).toList();
    List<String> theirs =
        tcpdump.out().lines().filter(line -> names.contains(deviceName(line))).toList();

    assertThat(ours.stream().map(line -> line.replaceFirst("^[0-9]+\\.", "")))
        .containsExactlyElementsOf(
            theirs.stream().map(line -> line.replaceFirst("^[0-9]+\\.", "")).toList());
    assertThat(ours)
        .containsExactly(
            "1." + link + " [Up, Running, Connected]",
            "2.any (Pseudo-device that captures on all interfaces) [Up, Running]",
            "3.lo [Up, Running, Loopback]",
            "4." + lonely + " [Up, Disconnected]",
            "5." + lonely + "p [none, Disconnected]");

    // --json: the same devices, as JSON.
    assertThat(String.join("\n", wharfReadHere("-D", "--json")))
        .startsWith("{\"devices\":[\n")
        .contains(
            "{\"number\":1,\"name\":\""
                + link
                + "\",\"description\":null,\"up\":true,\"running\":true,\"loopback\":false,"
                + "\"wireless\":false,\"connected\":true}")
        .contains(
            "{\"number\":3,\"name\":\"lo\",\"description\":null,\"up\":true,\"running\":true,"
                + "\"loopback\":true,\"wireless\":false,\"connected\":null}")
        .contains(
            "{\"number\":5,\"name\":\""
                + lonely
                + "p\",\"description\":null,\"up\":false,\"running\":false,"
                + "\"loopback\":false,\"wireless\":false,\"connected\":false}")
        .endsWith("\n]}");

    // -i 1: the link, as -D numbered it.
    Path text = dir.resolve("first.txt");
    Child wharf = wharfIn(text, "trace", "-n", "-i", "1", "-c", "1", "icmp");
    awaitListening(wharf, link);
    inThere("ping -c 1 10.77.0.1");
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).as("%s", wharf.errLines()).isZero();
    assertThat(Files.readString(text)).contains("10.77.0.2 > 10.77.0.1: ICMP echo request");
  }

  /** The device's name in a line of -D: {@code 2.any (Pseudo-device ...) [Up, Running]}. */
  private static String deviceName(String line) {
    return line.replaceFirst("^[0-9]+\\.", "").split(" ", 2)[0];
  }

  /**
   * -w's blocks are handed over 1 s after they began to fill: a TERM right after the last packet
   * finds it in the block the kernel still holds, and the capture reads on until it has it.
   */
  @Test
  void termRightAfterTheLastPacketLosesNoneOfTheBlockTheKernelHolds() throws Exception {
    Path ours = dir.resolve("term.pcap");
    Child wharf = wharfIn("trace", "-i", link, "-w", ours.toString(), "udp port 4444");
    awaitListening(wharf, link);
    inThere("ping -c 1 10.77.0.1"); // the neighbour known: no datagram waits for ARP
    int sent = 25;
    inThere(
        "/usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET,"
            + " socket.SOCK_DGRAM); [s.sendto(b\"datagram\", (\"10.77.0.1\", 4444)) for _ in"
            + " range("
            + sent
            + ")]'");
    wharf.signal("TERM");
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(wharf.errLines())
        .contains(sent + " packets captured", "0 packets dropped by kernel");
    assertThat(tcpdumpRead(ours)).hasSize(sent).allMatch(line -> line.contains("UDP, length 8"));
  }

  /**
   * A second Ctrl-C while the capture stops ends it at once, as tcpdump: here the reading thread is
   * blocked writing lines to a pipe nobody reads (its stdout), so the first SIGINT alone would
   * never end it. The closing counts come once, then the exit status of a process SIGINT ended.
   */
  @Test
  void aSecondCtrlCWhileStoppingEndsTheCaptureAtOnceWithItsCountsOnce() throws Exception {
    Child wharf =
        Child.wharfUnder(
            List.of("ip", "netns", "exec", here, "/usr/bin/env", "--default-signal=INT"),
            Map.of(),
            null,
            null, // stdout: a pipe, read by no one
            "trace",
            "-i",
            link,
            "udp port 4444");
    try {
      awaitListening(wharf, link);
      inThere("ping -c 1 10.77.0.1"); // the neighbour known: no datagram waits for ARP
      inThere(
          "/usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET,"
              + " socket.SOCK_DGRAM); [s.sendto(b\"x\" * 100, (\"10.77.0.1\", 4444)) for _ in"
              + " range(5000)]'");
      // 5,000 lines of about 70 bytes do not fit in the pipe (64 KiB) and the command's buffers
      // (64 KiB and 8 KiB): once the pipe is full, the reading thread is blocked writing.
      var stdout = wharf.process().getInputStream();
      Await.until(
          "wharf's stdout pipe full", Duration.ofSeconds(60), () -> stdout.available() >= 60_000);
      wharf.signal("INT");
      // Two SIGINTs pending at once are one to the kernel: on a busy machine the second came
      // before the process ran, and the capture saw a single Ctrl-C. The second goes once the
      // first is taken.
      long pid = wharf.process().pid();
      Await.until("the first SIGINT taken", Duration.ofSeconds(30), () -> !sigintPending(pid));
      wharf.signal("INT");
      assertThat(wharf.awaitExit(Duration.ofSeconds(10))).isEqualTo(128 + 2);
    } finally {
      wharf.process().destroyForcibly();
    }
    for (String counted : List.of(" captured", " received by filter", " dropped by kernel")) {
      assertThat(wharf.errLines())
          .as("%s", wharf.errLines())
          .filteredOn(line -> line.matches("\\d+ packets?" + counted))
          .hasSize(1);
    }
  }

  @Test
  void pcapngIsWhatTcpdumpReadsAsItsOwnCapture() throws Exception {
    Path ours = dir.resolve("ours.pcapng");
    Path theirs = dir.resolve("theirs-ng.pcap");
    Child tcpdump = tcpdumpIn(theirs, "-i", link, FILTER);
    Child wharf = wharfIn("trace", "-i", link, "--pcapng", "-w", ours.toString(), FILTER);
    try {
      awaitListening(tcpdump, link);
      awaitListening(wharf, link);
      inThere("ping -c 2 -i 0.2 10.77.0.1");
      inThere("ping -6 -c 2 -i 0.2 fd77::1");
      inThere("echo datagram | socat -u - UDP:10.77.0.1:4444");
      inThere("sleep 1");
    } finally {
      wharf.signal("TERM");
      tcpdump.signal("TERM");
    }
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    tcpdump.awaitExit(Duration.ofSeconds(30));
    // A section header, then the interface's block (EN10MB, named), then packets.
    var file = java.nio.ByteBuffer.wrap(Files.readAllBytes(ours));
    file.order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertThat(file.getInt(0)).isEqualTo(0x0a0d0d0a);
    assertThat(file.getInt(28)).isEqualTo(1);
    assertThat(file.getShort(36)).isEqualTo((short) 1);
    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines).hasSizeGreaterThanOrEqualTo(9);
    // Nanosecond timestamps: tcpdump prints them, and they are the kernel's, to the nanosecond.
    var nanos =
        ExternalProcess.run(
            Duration.ofSeconds(30), "tcpdump", "-n", "--nano", "-r", ours.toString());
    assertThat(nanos.out().lines().toList())
        .allMatch(line -> line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{9} .*"));
    assertThat(tcpdumpRead(ours)).isEqualTo(theirLines);
    assertThat(wharfRead("-r", ours.toString())).isEqualTo(theirLines);
  }

  @Test
  void withWTheFilesAreARingNamedAsTcpdumpNamesItsAlsoInPcapng() throws Exception {
    Files.createDirectories(dir.resolve("ours"));
    Files.createDirectories(dir.resolve("theirs"));
    String filter = "tcp port 5555";
    Child tcpdump =
        tcpdumpIn(
            dir.resolve("theirs/r.pcap"),
            "-Z",
            "root",
            "-B",
            "65536",
            "-C",
            "1",
            "-W",
            "2",
            "-i",
            link,
            filter);
    Child wharf =
        wharfIn(
            "trace",
            "-B",
            "65536",
            "-C",
            "1",
            "-W",
            "2",
            "--pcapng",
            "-i",
            link,
            "-w",
            dir.resolve("ours/r.pcap").toString(),
            filter);
    try {
      awaitListening(tcpdump, link);
      awaitListening(wharf, link);
      tcpSinkHere();
      // About 3.5 MB on the wire: four files' worth, so that the ring of two wraps around.
      inThere("sleep 0.5; head -c 3400000 /dev/zero | socat -u - TCP:10.77.0.1:5555");
      inThere("sleep 1");
    } finally {
      wharf.signal("TERM");
      tcpdump.signal("TERM");
    }
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    tcpdump.awaitExit(Duration.ofSeconds(30));
    assertThat(wharf.errLines()).contains("0 packets dropped by kernel");
    List<String> names = fileNames(dir.resolve("theirs"));
    assertThat(names).containsExactly("r.pcap0", "r.pcap1");
    assertThat(fileNames(dir.resolve("ours"))).isEqualTo(names);
    for (String name : names) {
      // Each pcapng file stands alone (its own section and interface): tcpdump reads it.
      var read =
          ExternalProcess.run(
              Duration.ofSeconds(30), "tcpdump", "-n", "-r", dir.resolve("ours", name).toString());
      assertThat(read.exit()).as(read.err()).isZero();
      assertThat(read.out().lines()).isNotEmpty().allMatch(line -> line.contains(".5555"));
    }
  }

  @Test
  void aGFileLimitEndsTheCaptureAsTcpdumps() throws Exception {
    Path ours = dir.resolve("g.pcap");
    Child wharf = wharfIn("trace", "-G", "1", "-W", "2", "-i", link, "-w", ours.toString(), "icmp");
    awaitListening(wharf, link);
    // Pings for up to 20 s: a packet 1 s after the second file opened would start a third.
    Child pinger =
        peer(
            null,
            null,
            "ip",
            "netns",
            "exec",
            there,
            "ping",
            "-c",
            "100",
            "-i",
            "0.2",
            "10.77.0.1");
    try {
      assertThat(wharf.awaitExit(Duration.ofSeconds(60))).isZero();
    } finally {
      pinger.signal("TERM");
    }
    assertThat(wharf.errLines()).contains("Maximum file limit reached: 2");
    assertThat(tcpdumpRead(ours)).isNotEmpty().allMatch(line -> line.contains("ICMP echo"));
  }

  @Test
  void dnsAndHttpLinesAreTcpdumpsAndJsonHasTheirLayers() throws Exception {
    // A DNS server of a few lines: one A record for any question, recursion available.
    String answer =
        "import socket\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.bind(('10.77.0.1', 53))\n"
            + "while True:\n"
            + "    q, a = s.recvfrom(512)\n"
            + "    end = 12\n"
            + "    while q[end]: end += q[end] + 1\n"
            + "    end += 5\n"
            + "    head = q[:2] + bytes([0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])\n"
            + "    rr = bytes([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 77, 0, 9])\n"
            + "    s.sendto(head + q[12:end] + rr, a)\n";
    Path server = dir.resolve("dns.py");
    Files.writeString(server, answer);
    peer(null, null, "ip", "netns", "exec", here, "/usr/bin/python3", server.toString());
    httpServerHere("10.77.0.1");
    Path theirs = dir.resolve("app.pcap");
    Child tcpdump = tcpdumpIn(theirs, "-i", link, "udp port 53 or tcp port 80");
    try {
      awaitListening(tcpdump, link);
      Await.until(
          "the servers answer",
          Duration.ofSeconds(60),
          () ->
              ExternalProcess.run(
                          Duration.ofSeconds(20),
                          "ip",
                          "netns",
                          "exec",
                          there,
                          "sh",
                          "-c",
                          "dig +tries=1 +time=2 @10.77.0.1 example.com A"
                              + " && curl -sf -o /dev/null http://10.77.0.1/dns.py")
                      .exit()
                  == 0);
      inThere("sleep 1");
    } finally {
      tcpdump.signal("TERM");
    }
    tcpdump.awaitExit(Duration.ofSeconds(30));
    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines)
        .anyMatch(
            line -> line.matches(".*\\.53: \\d+\\+ \\[1au\\] A\\? example\\.com\\. \\(\\d+\\)"))
        .anyMatch(line -> line.matches(".*: \\d+ 1/0/0 A 10\\.77\\.0\\.9 \\(\\d+\\)"))
        .anyMatch(line -> line.endsWith(": HTTP: GET /dns.py HTTP/1.1"))
        .anyMatch(line -> line.contains(": HTTP: HTTP/1.0 200 OK"));
    assertThat(wharfRead("-r", theirs.toString())).isEqualTo(theirLines);
    // -v: the answer's owner name; the HTTP head's length and every line of it.
    List<String> theirVerbose = tcpdumpRead(theirs, "-v");
    assertThat(String.join("\n", theirVerbose))
        .containsPattern(": \\d+ 1/0/0 example\\.com\\. A 10\\.77\\.0\\.9 \\(\\d+\\)")
        .containsPattern(": HTTP, length: \\d+\n\tGET /dns.py HTTP/1.1\n\tHost: 10.77.0.1\n");
    assertThat(wharfRead("-v", "-r", theirs.toString())).isEqualTo(theirVerbose);

    // --json: dig's query and the answer as DNS layers, curl's request and the server's status
    // line as HTTP layers, read back by Python's json module (keys sorted).
    List<String> layers =
        throughPython(
            theirs,
            "import json,sys\n"
                + "for line in open(sys.argv[1]):\n"
                + "  for layer in json.loads(line)['layers']:\n"
                + "    if layer['layer'] in ('dns', 'http'):\n"
                + "      print(json.dumps(layer, sort_keys=True))\n");
    String question =
        "\"questions\": [{\"class\": \"IN\", \"name\": \"example.com.\", \"type\": \"A\"}]";
    assertThat(layers)
        .anyMatch(
            layer ->
                layer.startsWith("{\"aa\": false, \"additional\": [{")
                    && layer.contains("\"answers\": [], ")
                    && layer.contains("\"layer\": \"dns\", \"opcode\": 0, \"qr\": false, ")
                    && layer.contains(question))
        .anyMatch(
            layer ->
                layer.contains(
                        "\"answers\": [{\"class\": \"IN\", \"data\": \"10.77.0.9\", \"name\":"
                            + " \"example.com.\", \"ttl\": 60, \"type\": \"A\"}]")
                    && layer.contains("\"qr\": true, ")
                    && layer.contains("\"ra\": true, \"rcode\": 0, ")
                    && layer.contains(question))
        .contains(
            "{\"kind\": \"request\", \"layer\": \"http\", \"method\": \"GET\", \"target\":"
                + " \"/dns.py\", \"version\": \"HTTP/1.1\"}",
            "{\"kind\": \"response\", \"layer\": \"http\", \"reason\": \"OK\", \"status\": 200,"
                + " \"version\": \"HTTP/1.0\"}");
  }

  /**
   * Without -n, hosts, ports and MAC addresses are named as tcpdump names them: on the loopback of
   * a namespace whose /etc/hosts (ip netns exec's /etc/netns/NAME/hosts) says 127.0.0.1 is
   * localhost, a curl to port 80 (http in /etc/services) and a DNS query nothing answers (ICMP's
   * "udp port domain unreachable"), captured by both; each file read by tcpdump without -n in that
   * namespace, and tcpdump's by wharf trace without -n there too, plain and with -e ("(oui
   * Ethernet)"); with -n, numbers as tcpdump -n.
   */
  @Test
  void withoutNHostsPortsAndMacsAreNamedAsTcpdumpNamesThem() throws Exception {
    Path hostsDir = Path.of("/etc/netns", here);
    boolean madeTheFolder = !Files.isDirectory(hostsDir.getParent());
    Files.createDirectories(hostsDir);
    Files.writeString(hostsDir.resolve("hosts"), "127.0.0.1 localhost\n");
    try {
      httpServerHere("127.0.0.1");
      Path ours = dir.resolve("lo-ours.pcap");
      Path theirs = dir.resolve("lo-theirs.pcap");
      captureBoth(
          "lo",
          "tcp port 80 or udp port 53 or icmp",
          ours,
          theirs,
          () -> {
            Await.until(
                "the server answers",
                Duration.ofSeconds(60),
                () ->
                    ExternalProcess.run(
                                Duration.ofSeconds(20),
                                "ip",
                                "netns",
                                "exec",
                                here,
                                "curl",
                                "-sf",
                                "-o",
                                "/dev/null",
                                "http://127.0.0.1/")
                            .exit()
                        == 0);
            inHere("dig +tries=1 +time=1 @127.0.0.1 example.com; true");
          });
      List<String> theirNames = tcpdumpReadHere(theirs);
      assertThat(theirNames)
          .anyMatch(line -> line.startsWith("IP localhost.http > localhost."))
          .anyMatch(line -> line.contains(" > localhost.domain: "))
          .anyMatch(line -> line.contains("ICMP localhost udp port domain unreachable"))
          .anyMatch(line -> line.endsWith(": HTTP: GET / HTTP/1.1"));
      assertThat(tcpdumpReadHere(ours)).isEqualTo(theirNames);
      assertThat(wharfReadHere("-r", theirs.toString())).isEqualTo(theirNames);
      List<String> theirLinkLines = tcpdumpReadHere(theirs, "-e");
      assertThat(theirLinkLines)
          .allMatch(line -> line.startsWith("00:00:00:00:00:00 (oui Ethernet) > "));
      assertThat(wharfReadHere("-e", "-r", theirs.toString())).isEqualTo(theirLinkLines);
      List<String> theirNumbers = tcpdumpRead(theirs);
      assertThat(theirNumbers).anyMatch(line -> line.startsWith("IP 127.0.0.1.80 > 127.0.0.1."));
      assertThat(wharfReadHere("-n", "-r", theirs.toString())).isEqualTo(theirNumbers);
    } finally {
      Files.deleteIfExists(hostsDir.resolve("hosts"));
      Files.deleteIfExists(hostsDir);
      if (madeTheFolder) {
        try {
          Files.deleteIfExists(hostsDir.getParent());
        } catch (java.nio.file.DirectoryNotEmptyException e) {
          // Another test's namespace has its files there now: it removes them, and may the folder.
        }
      }
    }
  }

  /**
   * Two 802.1Q-tagged frames (VLAN 5 priority 3; VLAN 7 priority 1 with DEI) sent as raw bytes on
   * the other end: the kernel takes the tag off on the way in (no 802.1Q module needed), both
   * captures put it back, and -e prints it as tcpdump -e; without -e, as tcpdump, no word of it.
   */
  @Test
  void withETheVlanTagsPriorityIsTcpdumps() throws Exception {
    String mac = veth.shHere("cat /sys/class/net/" + link + "/address").out().strip();
    Path sender = dir.resolve("tagged.py");
    Files.writeString(
        sender,
        RAW_FRAME_PY
            + """
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((sys.argv[1], 0))
        payload = b"tagged"
        udp = struct.pack("!HHHH", 4445, 4444, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                         socket.inet_aton("10.77.0.2"), socket.inet_aton("10.77.0.1"))
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
        udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp) or 0xffff) + udp[8:]
        for tci in (3 << 13 | 5, 1 << 13 | 1 << 12 | 7):
            head = bytes.fromhex(sys.argv[2].replace(":", "")) + s.getsockname()[4]
            s.send(head + struct.pack("!HH", 0x8100, tci) + b"\\x08\\x00" + ip + udp)
        """);
    Path ours = dir.resolve("vlan-ours.pcap");
    Path theirs = dir.resolve("vlan-theirs.pcap");
    captureBoth(
        link,
        "udp port 4444",
        ours,
        theirs,
        () -> {
          inThere("/usr/bin/python3 " + sender + " " + veth.thereLink() + " " + mac);
        });
    List<String> theirLinkLines = tcpdumpRead(theirs, "-e");
    assertThat(theirLinkLines)
        .hasSize(2)
        .anyMatch(line -> line.contains(": vlan 5, p 3, ethertype IPv4 (0x0800), 10.77.0.2.4445"))
        .anyMatch(line -> line.contains(": vlan 7, p 1, DEI, ethertype IPv4 (0x0800), "));
    assertThat(tcpdumpRead(ours, "-e")).isEqualTo(theirLinkLines);
    assertThat(wharfRead("-e", "-r", theirs.toString())).isEqualTo(theirLinkLines);
    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines).hasSize(2).noneMatch(line -> line.contains("vlan"));
    assertThat(wharfRead("-r", theirs.toString())).isEqualTo(theirLines);
  }

  /**
   * {@code vlan} on a live capture keeps what tcpdump's keeps: tagged frames coming in, whose tags
   * the kernel took off into the packet's auxiliary data (the program must be libpcap's for a live
   * handle, which reads them there), and going out with their tags in the frame. Frames of VLAN 10
   * and 20 and untagged ones are sent as raw bytes both ways: this kernel has no 802.1Q devices
   * ({@code ip link add ... type vlan} says "Unknown device type"), and the tags are the wire's
   * either way.
   */
  @Test
  void vlanFiltersOnALiveCaptureKeepWhatTcpdumpKeeps() throws Exception {
    String hereMac = veth.shHere("cat /sys/class/net/" + link + "/address").out().strip();
    String thereMac =
        veth.shThere("cat /sys/class/net/" + veth.thereLink() + "/address").out().strip();
    Path sender = dir.resolve("vlans.py");
    Files.writeString(
        sender,
        RAW_FRAME_PY
            + """
        iface, to_mac, source, target = sys.argv[1:5]
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((iface, 0))
        head = bytes.fromhex(to_mac.replace(":", "")) + s.getsockname()[4]
        def ip(protocol, payload):
            h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, protocol, 0,
                            socket.inet_aton(source), socket.inet_aton(target))
            return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload
        echo = struct.pack("!BBHHH", 8, 0, 0, 0x4d17, 1) + b"vlan"
        echo = echo[:2] + struct.pack("!H", checksum(echo)) + echo[4:]
        udp = struct.pack("!HHHH", 4445, 4444, 12, 0) + b"vlan"
        for vlan, packet in ((10, ip(1, echo)), (10, ip(17, udp)), (20, ip(1, echo)), (0, ip(1, echo))):
            tag = struct.pack("!HH", 0x8100, vlan) if vlan else b""
            s.send(head + tag + b"\\x08\\x00" + packet)
        """);
    Map<String, Integer> expected = Map.of("vlan", 6, "vlan 10 and icmp", 2);
    var captures = new ArrayList<Child[]>();
    var files = new ArrayList<Path[]>();
    try {
      int n = 0;
      for (String filter : List.of("vlan", "vlan 10 and icmp")) {
        Path ours = dir.resolve("vlan-ours-" + n + ".pcap");
        Path theirs = dir.resolve("vlan-theirs-" + n + ".pcap");
        n++;
        files.add(new Path[] {ours, theirs});
        captures.add(
            new Child[] {
              wharfIn("trace", "-i", link, "-w", ours.toString(), filter),
              tcpdumpIn(theirs, "-i", link, filter)
            });
      }
      for (Child[] pair : captures) {
        awaitListening(pair[0], link);
        awaitListening(pair[1], link);
      }
      // Coming in: the kernel takes the tags off. Going out: they stay in the frame.
      inThere(
          "/usr/bin/python3 "
              + sender
              + " "
              + veth.thereLink()
              + " "
              + hereMac
              + " 10.77.0.2 10.77.0.1");
      var outgoing =
          veth.shHere(
              "/usr/bin/python3 " + sender + " " + link + " " + thereMac + " 10.77.0.1 10.77.0.2");
      assertThat(outgoing.exit()).as(outgoing.err()).isZero();
      inThere("ping -c 1 10.77.0.1"); // untagged, both ways
    } finally {
      for (Child[] pair : captures) {
        pair[0].signal("TERM");
        pair[1].signal("TERM");
      }
    }
    for (int i = 0; i < captures.size(); i++) {
      String filter = i == 0 ? "vlan" : "vlan 10 and icmp";
      assertThat(captures.get(i)[0].awaitExit(Duration.ofSeconds(30))).as(filter).isZero();
      captures.get(i)[1].awaitExit(Duration.ofSeconds(30));
      List<String> theirLines = tcpdumpRead(files.get(i)[1], "-e");
      assertThat(theirLines)
          .as(filter)
          .hasSize(expected.get(filter))
          .allMatch(line -> line.contains(": vlan "));
      assertThat(tcpdumpRead(files.get(i)[0], "-e")).as(filter).isEqualTo(theirLines);
    }
  }

  @Test
  void aFilterReadingAFileKeepsWhatTcpdumpKeeps() throws Exception {
    Path all = dir.resolve("all.pcap");
    Child tcpdump = tcpdumpIn(all, "-i", link);
    tcpdump.awaitErr("listening on " + link);
    inThere("ping -c 2 -i 0.2 10.77.0.1");
    inThere("echo datagram | socat -u - UDP:10.77.0.1:4444");
    inThere("sleep 0.5");
    tcpdump.signal("TERM");
    tcpdump.awaitExit(Duration.ofSeconds(20));
    for (String filter : List.of("udp", "icmp[icmptype] == icmp-echoreply", "not ip6")) {
      Path text = dir.resolve("filtered.txt");
      Child reader = wharf(null, text, "trace", "-n", "-r", all.toString(), filter);
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
    // With a filter, libpcap's live handle (which compiles it) is refused first: the same line.
    Child filtered =
        Child.wharfUnder(
            List.of("unshare", "-U"), Map.of(), null, null, "trace", "-i", "lo", "vlan");
    assertThat(filtered.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
    assertThat(filtered.errLines()).isEqualTo(wharf.errLines());
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

  /**
   * The example of a filter on header bytes, on a live capture beside tcpdump's with the
   * same expression: only segments with SYN set (the SYN and SYN-ACK of a connection with data, the
   * SYN a closed port resets), not its ACKs, data, FINs, the RST, pings or UDP.
   */
  @Test
  void theSynFlagFilterKeepsOnALiveCaptureWhatTcpdumpKeeps() throws Exception {
    Path ours = dir.resolve("syn-ours.pcap");
    Path theirs = dir.resolve("syn-theirs.pcap");
    String filter = "tcp[tcpflags] & tcp-syn != 0";
    Child wharf =
        captureBoth(
            link,
            filter,
            ours,
            theirs,
            () -> {
              inThere("ping -c 2 -i 0.2 10.77.0.1");
              inThere("echo datagram | socat -u - UDP:10.77.0.1:4444");
              tcpSinkHere();
              inThere("sleep 0.5; echo hello | socat -u - TCP:10.77.0.1:5555");
              inThere("echo refused | socat -u - TCP:10.77.0.1:5556 || true");
              inThere("sleep 1");
            });
    assertThat(wharf.errLines()).contains("3 packets captured", "0 packets dropped by kernel");
    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines).hasSize(3);
    assertThat(theirLines.get(0)).contains("> 10.77.0.1.5555: Flags [S],");
    assertThat(theirLines.get(1)).contains("10.77.0.1.5555 > ").contains("Flags [S.],");
    assertThat(theirLines.get(2)).contains("> 10.77.0.1.5556: Flags [S],");
    assertThat(tcpdumpRead(ours)).isEqualTo(theirLines);
  }

  @Test
  void onAnyTheFilterRunsInTheKernelAndTheFileIsTcpdumps() throws Exception {
    Path ours = dir.resolve("any-ours.pcap");
    Path theirs = dir.resolve("any-theirs.pcap");
    String filter = "udp port 4444";
    Child wharf =
        captureBoth(
            "any",
            filter,
            ours,
            theirs,
            () -> {
              // Pings the filter does not want: on a cooked socket too, the kernel keeps them from
              // us.
              inThere("ping -c 3 -i 0.2 10.77.0.1");
              for (int i = 0; i < 3; i++) {
                inThere("echo datagram | socat -u - UDP:10.77.0.1:4444");
              }
              inThere("sleep 1");
            });
    assertThat(wharf.errLines())
        .contains(
            "wharf trace: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot"
                + " length 262144 bytes",
            "3 packets captured",
            "3 packets received by filter",
            "0 packets dropped by kernel");
    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines).hasSize(3).allMatch(line -> line.contains("UDP, length 9"));
    assertThat(tcpdumpRead(ours)).isEqualTo(theirLines);
    assertThat(wharfRead("-r", ours.toString())).isEqualTo(theirLines);
    // -e on cooked v2 headers: direction, interface index, address, protocol, as tcpdump -e.
    List<String> theirLinkLines = tcpdumpRead(theirs, "-e");
    assertThat(theirLinkLines).allMatch(line -> line.contains(" ifindex "));
    assertThat(wharfRead("-e", "-r", theirs.toString())).isEqualTo(theirLinkLines);
  }

  @Test
  void verboseAndHexPrintWhatTcpdumpPrints() throws Exception {
    Path theirs = dir.resolve("v.pcap");
    Child tcpdump = tcpdumpIn(theirs, "-i", link, FILTER);
    try {
      awaitListening(tcpdump, link);
      inThere("ping -c 2 -i 0.2 10.77.0.1");
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
          "UDP6-RECV:4444",
          "OPEN:/dev/null");
      tcpSinkHere();
      inThere("sleep 0.5; head -c 3000 /dev/zero | socat -u - TCP:10.77.0.1:5555");
      inThere("echo datagram | socat -u - UDP6:[fd77::1]:4444");
      inThere("sleep 1");
    } finally {
      tcpdump.signal("TERM");
    }
    tcpdump.awaitExit(Duration.ofSeconds(30));
    // Not neighbour discovery, whose -v options lines Wharf does not print yet.
    String shown = "not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)";
    var v = tcpdumpRead(theirs, "-v", shown);
    assertThat(v)
        .anyMatch(line -> line.startsWith("IP (tos 0x0, ttl 64, id "))
        .anyMatch(line -> line.contains("cksum 0x"))
        .anyMatch(line -> line.contains("[udp sum ok]") || line.contains("[bad udp cksum"))
        .anyMatch(line -> line.contains("[icmp6 sum ok]"));
    assertThat(wharfRead("-v", "-r", theirs.toString(), shown)).isEqualTo(v);
    var x = tcpdumpRead(theirs, "-X");
    assertThat(x).anyMatch(line -> line.startsWith("\t0x0000:  4500 "));
    assertThat(wharfRead("-X", "-r", theirs.toString())).isEqualTo(x);
  }

  /**
   * IPv4 options and fragments, both captures live: ping's record route (-R) and timestamps (-T),
   * whose options each hop fills in, and a 3000-byte echo that the 1500-byte MTU splits into three
   * fragments each way. tcpdump reads Wharf's file as its own, and Wharf's -v and --json on
   * tcpdump's file say what tcpdump -v says.
   */
  @Test
  void ipv4OptionsAndFragmentsAreTcpdumps() throws Exception {
    Path ours = dir.resolve("ours.pcap");
    Path theirs = dir.resolve("theirs.pcap");
    captureBoth(
        link,
        "icmp",
        ours,
        theirs,
        () -> {
          inThere("ping -R -c 2 -i 0.2 10.77.0.1");
          inThere("ping -T tsonly -c 1 10.77.0.1");
          inThere("ping -T tsandaddr -c 1 10.77.0.1");
          inThere("ping -s 3000 -c 1 10.77.0.1");
          inThere("sleep 1");
        });

    var v = tcpdumpRead(theirs, "-v");
    assertThat(v)
        .anyMatch(line -> line.contains(", options (NOP,RR 10.77.0.2, 0.0.0.0 "))
        .anyMatch(line -> line.contains(", options (RR 10.77.0.2, 10.77.0.1, 10.77.0.1, 0.0.0.0"))
        .anyMatch(line -> line.contains("options (timestamp TS{TSONLY "))
        .anyMatch(line -> line.contains("options (timestamp TS{TS+ADDR "))
        .anyMatch(line -> line.contains(", offset 1480, flags [+], proto ICMP (1), length 1500)"))
        .anyMatch(line -> line.endsWith("10.77.0.2 > 10.77.0.1: ip-proto-1"));
    assertThat(tcpdumpRead(ours, "-v")).isEqualTo(v);
    assertThat(wharfRead("-v", "-r", theirs.toString())).isEqualTo(v);
    assertThat(wharfRead("-r", theirs.toString())).isEqualTo(tcpdumpRead(theirs));

    // --json carries the same options, one string per option, as -v prints them.
    assertThat(wharfRead("--json", "-r", theirs.toString()))
        .anyMatch(line -> line.contains("\"options\":[\"NOP\",\"RR 10.77.0.2, 0.0.0.0 "))
        .anyMatch(line -> line.contains("\"options\":[\"timestamp TS{TSONLY "))
        .anyMatch(line -> line.contains("\"fragmentOffset\":2960"));
  }

  /**
   * SACK blocks on a live capture: the first 1200-byte segment is dropped by an nftables quota rule
   * in this side's namespace (after both captures saw it), so the receiver acknowledges the second
   * one selectively; -v is tcpdump's -v for every packet, the sack block's relative numbers too.
   */
  @Test
  void sackBlocksAreTcpdumps() throws Exception {
    dropOnTheWayInHere("tcp dport 5555 meta length '>' 1000 quota until 2000 bytes drop");
    Path ours = dir.resolve("ours.pcap");
    Path theirs = dir.resolve("theirs.pcap");
    captureBoth(
        link,
        "tcp port 5555",
        ours,
        theirs,
        () -> {
          tcpSinkHere();
          // Writes of 1200 bytes, each its own segment (nodelay), the first of them dropped.
          inThere(
              "sleep 0.5; head -c 6000 /dev/zero | socat -b 1200 -u - TCP:10.77.0.1:5555,nodelay");
          inThere("sleep 1");
        });
    var v = tcpdumpRead(theirs, "-v");
    assertThat(v).anyMatch(line -> line.matches(".*,nop,nop,sack 1 \\{\\d+:\\d+}], length 0"));
    assertThat(tcpdumpRead(ours, "-v")).isEqualTo(v);
    assertThat(wharfRead("-v", "-r", theirs.toString())).isEqualTo(v);
  }

  /**
   * --json, read back by Python's json module: a captured TCP SYN and a UDP DNS query have every
   * layer with the fields tcpdump shows for the same packets (addresses, ports, flags, sequence
   * number, options), and the query its DNS layer.
   */
  @Test
  void jsonHasEveryLayerWithItsFields() throws Exception {
    Path theirs = dir.resolve("theirs.pcap");
    String filter = "udp dst port 53 or (tcp port 5555 and tcp[tcpflags] == tcp-syn)";
    Child tcpdump = tcpdumpIn(theirs, "-i", link, filter);
    try {
      awaitListening(tcpdump, link);
      tcpSinkHere();
      inThere("sleep 0.5; echo hello | socat -u - TCP:10.77.0.1:5555");
      inThere("dig +tries=1 +time=1 @10.77.0.1 example.com; true");
      inThere("sleep 1");
    } finally {
      tcpdump.signal("TERM");
    }
    tcpdump.awaitExit(Duration.ofSeconds(30));
    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines).hasSize(2);
    var syn =
        java.util.regex.Pattern.compile(
                "IP 10\\.77\\.0\\.2\\.(\\d+) > 10\\.77\\.0\\.1\\.5555: Flags \\[S\\], seq (\\d+),"
                    + " win (\\d+), options \\[mss 1460,sackOK,TS val (\\d+) ecr 0,nop,wscale (\\d+)\\],"
                    + " length 0")
            .matcher(theirLines.getFirst());
    assertThat(syn.matches()).as(theirLines.getFirst()).isTrue();
    var dns =
        java.util.regex.Pattern.compile("IP 10\\.77\\.0\\.2\\.(\\d+) > 10\\.77\\.0\\.1\\.53: .*")
            .matcher(theirLines.get(1));
    assertThat(dns.matches()).as(theirLines.get(1)).isTrue();

    // One line per layer: the packet's number, the layer's name, its fields as JSON, keys sorted.
    List<String> layers =
        throughPython(
            theirs,
            "import json,sys\n"
                + "for n, line in enumerate(open(sys.argv[1])):\n"
                + "  packet = json.loads(line)\n"
                + "  for layer in packet['layers']:\n"
                + "    name = layer.pop('layer')\n"
                + "    print(n, name, json.dumps(layer, sort_keys=True))\n");
    assertThat(layers).hasSize(7);
    assertThat(layers.get(0)).startsWith("0 ethernet ").contains("\"etherType\": 2048");
    assertThat(layers.get(1))
        .startsWith("0 ipv4 ")
        .contains(
            "\"destination\": \"10.77.0.1\"",
            "\"source\": \"10.77.0.2\"",
            "\"protocol\": 6",
            "\"dontFragment\": true",
            "\"options\": []");
    assertThat(layers.get(2))
        .startsWith("0 tcp ")
        .contains(
            "\"sourcePort\": " + syn.group(1) + ",",
            "\"destinationPort\": 5555,",
            "\"flags\": 2,",
            "\"sequence\": " + syn.group(2) + ",",
            "\"acknowledgement\": 0,",
            "\"window\": " + syn.group(3) + "}",
            "\"options\": [\"mss 1460\", \"sackOK\", \"TS val "
                + syn.group(4)
                + " ecr 0\", \"nop\", \"wscale "
                + syn.group(5)
                + "\"]",
            "\"payloadLength\": 0");
    assertThat(layers.get(3)).startsWith("1 ethernet ").contains("\"etherType\": 2048");
    assertThat(layers.get(4))
        .startsWith("1 ipv4 ")
        .contains("\"protocol\": 17", "\"source\": \"10.77.0.2\"");
    assertThat(layers.get(5))
        .startsWith("1 udp ")
        .contains("\"sourcePort\": " + dns.group(1) + "}", "\"destinationPort\": 53,");
    // The query itself, after UDP: Wharf's DNS codec's reading.
    assertThat(layers.get(6))
        .startsWith("1 dns ")
        .contains(
            "\"qr\": false,",
            "\"questions\": [{\"class\": \"IN\", \"name\": \"example.com.\", \"type\": \"A\"}]");
  }

  @Test
  void snapLengthAndCountAsTcpdumps() throws Exception {
    Path ours = dir.resolve("s-ours.pcap");
    Path theirs = dir.resolve("s-theirs.pcap");
    String filter = "tcp port 5555";
    Child tcpdump = tcpdumpIn(theirs, "-s", "96", "-c", "5", "-i", link, filter);
    Child wharf =
        wharfIn("trace", "-s", "96", "-c", "5", "-i", link, "-w", ours.toString(), filter);
    awaitListening(tcpdump, link);
    awaitListening(wharf, link);
    tcpSinkHere();
    inThere("sleep 0.5; head -c 3000 /dev/zero | socat -u - TCP:10.77.0.1:5555");
    // Both stop by themselves after five packets.
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(tcpdump.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(wharf.errLines()).contains("5 packets captured");
    List<String> theirLines = tcpdumpRead(theirs);
    assertThat(theirLines).hasSize(5).anyMatch(line -> line.contains("length 3000"));
    assertThat(tcpdumpRead(ours)).isEqualTo(theirLines);
    // What each file kept of each packet: at most 96 bytes, as tcpdump's.
    assertThat(capturedLengths(ours)).isEqualTo(capturedLengths(theirs)).allMatch(n -> n <= 96);
  }

  @Test
  void sizeRotationNamesTheFilesAsTcpdump() throws Exception {
    Files.createDirectories(dir.resolve("ours"));
    Files.createDirectories(dir.resolve("theirs"));
    String filter = "tcp port 5555";
    Child tcpdump =
        // -Z root: tcpdump would otherwise drop to its own user and fail to make the next file.
        // -B: a ring big enough for the whole transfer, so that neither drops a packet.
        tcpdumpIn(
            dir.resolve("theirs/c.pcap"),
            "-Z",
            "root",
            "-B",
            "65536",
            "-C",
            "1",
            "-i",
            link,
            filter);
    Child wharf =
        wharfIn(
            "trace",
            "-B",
            "65536",
            "-C",
            "1",
            "-i",
            link,
            "-w",
            dir.resolve("ours/c.pcap").toString(),
            filter);
    try {
      awaitListening(tcpdump, link);
      awaitListening(wharf, link);
      tcpSinkHere();
      inThere("sleep 0.5; head -c 2500000 /dev/zero | socat -u - TCP:10.77.0.1:5555");
      inThere("sleep 1");
    } finally {
      wharf.signal("TERM");
      tcpdump.signal("TERM");
    }
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    tcpdump.awaitExit(Duration.ofSeconds(30));
    assertThat(wharf.errLines()).contains("0 packets dropped by kernel");
    assertThat(tcpdump.errLines()).contains("0 packets dropped by kernel");
    List<String> names = fileNames(dir.resolve("theirs"));
    assertThat(names).contains("c.pcap", "c.pcap1", "c.pcap2");
    assertThat(fileNames(dir.resolve("ours"))).isEqualTo(names);
    // Two sockets may see packets that cross on two CPUs in either order, which can move a packet
    // across a file boundary: each file obeys the rule (over 1,000,000 bytes, by less than its
    // last packet), and all of them hold the same packets (absolute sequence numbers, -S).
    var ours = new ArrayList<String>();
    var theirs = new ArrayList<String>();
    for (String name : names) {
      Path file = dir.resolve("ours", name);
      if (!name.equals(names.getLast())) {
        assertThat(Files.size(file)).as(name).isBetween(1_000_001L, 1_000_000L + 65_536 + 16);
      }
      ours.addAll(tcpdumpRead(file, "-S"));
      theirs.addAll(tcpdumpRead(dir.resolve("theirs", name), "-S"));
    }
    assertThat(theirs).hasSizeGreaterThan(20);
    assertThat(ours).containsExactlyInAnyOrderElementsOf(theirs);
  }

  @Test
  void followTellsAConnectionsStoryWithItsRetransmission() throws Exception {
    // The first segment with data is dropped on its way in (after the capture saw it), once:
    // the sender sends it again.
    dropOnTheWayInHere("tcp dport 5555 tcp flags '&' psh == psh quota until 100 bytes drop");
    Path story = dir.resolve("story.txt");
    Child wharf = wharfIn(story, "trace", "--follow", "-i", link, "tcp port 5555");
    try {
      awaitListening(wharf, link);
      tcpSinkHere();
      inThere("sleep 0.5; echo hello | socat -u - TCP:10.77.0.1:5555");
      Await.until(
          "the connection's end in the story",
          Duration.ofSeconds(30),
          () -> Files.readString(story).contains("TIME-WAIT"));
    } finally {
      wharf.signal("TERM");
    }
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    List<String> lines = withoutTimes(Files.readAllLines(story));
    assertThat(lines.getFirst())
        .matches("\\[1\\] client 10\\.77\\.0\\.2\\.\\d+ > 10\\.77\\.0\\.1\\.5555: SYN: opens.*");
    assertThat(lines.get(1)).contains("server", "SYN-ACK: accepts", "after the SYN");
    assertThat(lines.get(2)).contains("client", "ACK: established, handshake RTT ");
    assertThat(lines)
        .anyMatch(
            line ->
                line.endsWith(
                    "client 10.77.0.2."
                        + clientPort(lines)
                        + " > 10.77.0.1.5555: 6 bytes (seq 1:7)"))
        .anyMatch(line -> line.contains("RETRANSMISSION, 6 bytes (seq 1:7)"))
        .anyMatch(line -> line.contains("FIN: closes its side (active close)"))
        .anyMatch(line -> line.contains("FIN: closes its side too (passive close)"));
    assertThat(lines.getLast())
        .contains("ACK of the last FIN: closed; the client (first to close) waits in TIME-WAIT");
  }

  private static String clientPort(List<String> lines) {
    var matcher =
        java.util.regex.Pattern.compile("10\\.77\\.0\\.2\\.(\\d+)").matcher(lines.getFirst());
    assertThat(matcher.find()).isTrue();
    return matcher.group(1);
  }

  /**
   * tcpdump in this side's namespace writing {@code file}; --immediate-mode, or TPACKET_V3 hands
   * packets over a block at a time, up to a second late.
   */
  private Child tcpdumpIn(Path file, String... args) throws IOException {
    var command =
        new ArrayList<>(
            List.of("ip", "netns", "exec", here, "tcpdump", "--immediate-mode", "-U", "-n"));
    command.addAll(List.of("-w", file.toString()));
    command.addAll(List.of(args));
    return peer(null, null, command.toArray(String[]::new));
  }

  private Child wharfIn(String... args) throws IOException {
    return wharfIn(null, args);
  }

  /** wharf with {@code args} in this side's namespace, its stdout to {@code stdout} if not null. */
  private Child wharfIn(Path stdout, String... args) throws IOException {
    return Child.wharfUnder(List.of("ip", "netns", "exec", here), Map.of(), null, stdout, args);
  }

  /** A JVM starting on a loaded machine may take longer than Child's default wait. */
  private static void awaitListening(Child child, String iface) {
    Await.until(
        "listening on " + iface,
        Duration.ofSeconds(60),
        () -> child.errLines().stream().anyMatch(line -> line.contains("listening on " + iface)));
  }

  private List<String> wharfRead(String... args) throws Exception {
    Path text = Files.createTempFile(dir, "read", ".txt");
    var command = new ArrayList<>(List.of("trace", "-n")); // as tcpdumpRead's tcpdump -n
    command.addAll(List.of(args));
    Child reader = wharf(null, text, command.toArray(String[]::new));
    assertThat(reader.awaitExit(Duration.ofSeconds(60))).as("%s", reader.errLines()).isZero();
    return withoutTimes(Files.readAllLines(text));
  }

  private static List<String> fileNames(Path folder) throws IOException {
    try (var files = Files.list(folder)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  /** Each packet's captured length, from the pcap record headers (little-endian, as written). */
  private static List<Integer> capturedLengths(Path pcap) throws IOException {
    var buffer = java.nio.ByteBuffer.wrap(Files.readAllBytes(pcap));
    buffer.order(java.nio.ByteOrder.LITTLE_ENDIAN);
    var lengths = new ArrayList<Integer>();
    for (int at = 24; at + 16 <= buffer.limit(); ) {
      int captured = buffer.getInt(at + 8);
      lengths.add(captured);
      at += 16 + captured;
    }
    return lengths;
  }

  /** A TCP listener on 10.77.0.1:5555 in this side's namespace that reads and drops what comes. */
  private void tcpSinkHere() throws Exception {
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
  }

  private void inThere(String command) throws IOException {
    var result =
        ExternalProcess.run(
            Duration.ofSeconds(20), "ip", "netns", "exec", there, "sh", "-c", command);
    assertThat(result.exit()).as("%s: %s", command, result.err()).isZero();
  }

  private void inHere(String command) throws IOException {
    var result =
        ExternalProcess.run(
            Duration.ofSeconds(20), "ip", "netns", "exec", here, "sh", "-c", command);
    assertThat(result.exit()).as("%s: %s", command, result.err()).isZero();
  }

  /** tcpdump without -n reading {@code file} in this side's namespace: its /etc/hosts' names. */
  private List<String> tcpdumpReadHere(Path file, String... more) throws IOException {
    var command =
        new ArrayList<>(List.of("ip", "netns", "exec", here, "tcpdump", "-r", file.toString()));
    command.addAll(List.of(more));
    var result = ExternalProcess.run(Duration.ofSeconds(60), command);
    assertThat(result.exit()).as("%s", result.err()).isZero();
    return withoutTimes(result.out().lines().toList());
  }

  /** wharf trace with {@code args} (no -n unless given) in this side's namespace. */
  private List<String> wharfReadHere(String... args) throws Exception {
    Path text = Files.createTempFile(dir, "read", ".txt");
    var command = new ArrayList<>(List.of("trace"));
    command.addAll(List.of(args));
    Child reader = wharfIn(text, command.toArray(String[]::new));
    assertThat(reader.awaitExit(Duration.ofSeconds(60))).as("%s", reader.errLines()).isZero();
    return withoutTimes(Files.readAllLines(text));
  }

  private static List<String> tcpdumpRead(Path file, String... more) throws IOException {
    var command = new ArrayList<>(List.of("tcpdump", "-n", "-r", file.toString()));
    command.addAll(List.of(more));
    var result = ExternalProcess.run(Duration.ofSeconds(30), command);
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

  /** What a test sends while two captures run. */
  private interface Traffic {
    void send() throws Exception;
  }

  /**
   * tcpdump writing {@code theirs} and wharf trace writing {@code ours}, on the same interface with
   * the same filter, both listening before the traffic is sent and both stopped with SIGTERM after
   * it; wharf must exit 0. Returns wharf's child, for its closing counts.
   */
  private Child captureBoth(String iface, String filter, Path ours, Path theirs, Traffic traffic)
      throws Exception {
    Child tcpdump = tcpdumpIn(theirs, "-i", iface, filter);
    Child wharf = wharfIn("trace", "-i", iface, "-w", ours.toString(), filter);
    try {
      awaitListening(tcpdump, iface);
      awaitListening(wharf, iface);
      traffic.send();
    } finally {
      wharf.signal("TERM");
      tcpdump.signal("TERM");
    }
    assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
    tcpdump.awaitExit(Duration.ofSeconds(30));
    return wharf;
  }

  /** Whether SIGINT waits to be delivered to the process (its thread-shared or own pending set). */
  private static boolean sigintPending(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("SigPnd:") || line.startsWith("ShdPnd:")) {
          long mask = Long.parseUnsignedLong(line.substring(7).strip(), 16);
          if ((mask & (1L << (2 - 1))) != 0) { // signal n is bit n - 1; SIGINT is 2
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      return false; // gone: nothing pending
    }
  }

  /**
   * python's http.server on port 80 of this test's namespace (on the address given), serving dir.
   */
  private void httpServerHere(String address) throws IOException {
    peer(
        null,
        null,
        "ip",
        "netns",
        "exec",
        here,
        "/usr/bin/python3",
        "-m",
        "http.server",
        "--bind",
        address,
        "80",
        "--directory",
        dir.toString());
  }

  /**
   * An nftables rule on this side's input (after the captures saw the packet): {@code rule} is what
   * it matches and how often it drops, as nft's words.
   */
  private void dropOnTheWayInHere(String rule) throws Exception {
    sh(
        "ip netns exec "
            + here
            + " nft add table inet wt"
            + " && ip netns exec "
            + here
            + " nft add chain inet wt in '{ type filter hook input priority 0; }'"
            + " && ip netns exec "
            + here
            + " nft add rule inet wt in "
            + rule);
  }

  /**
   * wharf trace --json of {@code capture}, read back by Python's json module: {@code script} gets
   * the JSON lines' file as its argument; what it prints, line by line.
   */
  private List<String> throughPython(Path capture, String script) throws Exception {
    Path json = Files.createTempFile(dir, "trace", ".json");
    Files.write(json, wharfRead("--json", "-r", capture.toString()));
    var parsed =
        ExternalProcess.run(
            Duration.ofSeconds(30), "/usr/bin/python3", "-c", script, json.toString());
    assertThat(parsed.exit()).as(parsed.err()).isZero();
    return parsed.out().lines().toList();
  }
}
