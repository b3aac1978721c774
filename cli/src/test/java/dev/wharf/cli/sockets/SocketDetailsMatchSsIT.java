package dev.wharf.cli.sockets;

import static dev.wharf.cli.sockets.SocketsCommandIT.parseJson;
import static dev.wharf.cli.sockets.SocketsCommandIT.wharfSockets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.sockets.SocketsCommandIT.Run;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.SsListing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf sockets} against {@code ss} (iproute2) on what {@link SocketsCommandIT} leaves out:
 * {@code -i}'s TCP details on a connection this test opens, and raw sockets ({@code -w}) a Python
 * child opens (raw sockets need root or CAP_NET_RAW, which the tests have).
 */
@Timeout(60)
class SocketDetailsMatchSsIT {
  private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");
  private static final Pattern FIELD = Pattern.compile("([a-z_]+)[: ]([0-9][0-9./]*[A-Za-z]*)");

  /**
   * The same connection through both listers: mss and cwnd equal; rtt and rttvar close (the kernel
   * updates them with each acknowledgement, so the two readings may be a sample apart); retransmits
   * equal (ss leaves out {@code retrans:} when there are none); the delivery rate close (ss and we
   * round it to one decimal of a unit).
   */
  @Test
  void tcpDetailsMatchSsOnAConnectionThisTestOpens() throws Exception {
    var loopback = InetAddress.getByName("127.0.0.1");
    try (var listener = new ServerSocket(0, 8, loopback);
        var client = new Socket()) {
      client.connect(listener.getLocalSocketAddress(), 5_000);
      try (Socket accepted = listener.accept()) {
        exchange(client, accepted);
        String port = Integer.toString(client.getLocalPort());
        var ours = new AtomicReference<Map<String, String>>(Map.of());
        var theirs = new AtomicReference<Map<String, String>>(Map.of());
        var why = new AtomicReference<String>("");
        boolean agreed =
            Await.within(
                Duration.ofSeconds(20),
                Duration.ofMillis(100),
                () -> {
                  Run run = wharfSockets("-t", "-i", "-H", "--sport", port);
                  assertThat(run.exit()).as(run.err()).isZero();
                  ours.set(detailsOf(run.out()));
                  var ss =
                      ExternalProcess.run(
                          Duration.ofSeconds(10), "ss", "-tinH", "sport", "=", ":" + port);
                  assertThat(ss.exit()).as(ss.err()).isZero();
                  theirs.set(detailsOf(ss.out()));
                  why.set(disagreement(ours.get(), theirs.get()));
                  return why.get().isEmpty();
                });
        assertThat(agreed)
            .as(why.get() + "\nours: " + ours.get() + "\nss's: " + theirs.get())
            .isTrue();
        assertThat(Double.parseDouble(ours.get().get("rtt").split("/")[0]))
            .as("a round trip was measured")
            .isPositive();
      }
    }
  }

  /** Bytes both ways, so that the kernel has measured round trips and a delivery rate. */
  private static void exchange(Socket client, Socket accepted) throws IOException {
    client.setSoTimeout(10_000);
    accepted.setSoTimeout(10_000);
    OutputStream toServer = client.getOutputStream();
    InputStream atServer = accepted.getInputStream();
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; i < 16; i++) {
      toServer.write(chunk);
      atServer.readNBytes(chunk.length);
    }
    accepted.getOutputStream().write("done\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(client.getInputStream().readNBytes(5)).hasSize(5);
  }

  /** The {@code name:value} fields of the one indented line under a socket. */
  private static Map<String, String> detailsOf(String out) {
    List<String> lines = out.lines().toList();
    assertThat(lines).as(out).hasSize(2);
    var fields = new HashMap<String, String>();
    Matcher m = FIELD.matcher(lines.get(1));
    while (m.find()) {
      fields.putIfAbsent(m.group(1), m.group(2));
    }
    return fields;
  }

  /** Empty when the two readings agree as the test's comment says; else what differs. */
  private static String disagreement(Map<String, String> ours, Map<String, String> theirs) {
    for (String exact : List.of("mss", "cwnd")) {
      if (!ours.get(exact).equals(theirs.get(exact))) {
        return exact + " differs";
      }
    }
    if (!ours.get("retrans").equals(theirs.getOrDefault("retrans", "0/0"))) {
      return "retrans differs";
    }
    String[] ourRtt = ours.get("rtt").split("/");
    String[] theirRtt = theirs.get("rtt").split("/");
    for (int i = 0; i < 2; i++) {
      if (!close(Double.parseDouble(ourRtt[i]), Double.parseDouble(theirRtt[i]), 0.5, 0.05)) {
        return (i == 0 ? "rtt" : "rttvar") + " is not close";
      }
    }
    if (!close(
        bitsPerSecond(ours.get("delivery_rate")),
        bitsPerSecond(theirs.get("delivery_rate")),
        0.1,
        1)) {
      return "delivery_rate is not close";
    }
    return "";
  }

  /** Within {@code relative} of each other, or {@code absolute} apart at most. */
  private static boolean close(double a, double b, double relative, double absolute) {
    return Math.abs(a - b) <= Math.max(absolute, relative * Math.max(a, b));
  }

  /** {@code 5.4Gbps}, {@code 812.3Kbps}, {@code 96bps} as bits per second. */
  private static double bitsPerSecond(String rate) {
    Matcher m = Pattern.compile("([0-9.]+)([KMGT]?)bps").matcher(rate);
    assertThat(m.matches()).as(rate).isTrue();
    double scale =
        switch (m.group(2)) {
          case "K" -> 1e3;
          case "M" -> 1e6;
          case "G" -> 1e9;
          case "T" -> 1e12;
          default -> 1;
        };
    return Double.parseDouble(m.group(1)) * scale;
  }

  /**
   * Raw ICMP sockets, IPv4 and IPv6, held by a Python child: listed by both with the same local
   * address and protocol (a raw socket's "port"), state, queues and owner. ss (iproute2 6.1) prints
   * no {@code ino:} for raw sockets and an IPv6 raw socket's peer as {@code *:*}, so the inode is
   * checked against the child's {@code /proc/PID/fd} instead, and the peer left out.
   */
  @Test
  void rawSocketsMatchSs() throws Exception {
    String script =
        "import socket, sys\n"
            + "v4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n"
            + "v4.bind(('127.0.0.7', 0))\n"
            + "v6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)\n"
            + "v6.bind(('::1', 0))\n"
            + "print('ready', flush=True)\n"
            + "sys.stdin.read()\n";
    try (var holder = ExternalProcess.start(List.of("/usr/bin/python3", "-c", script))) {
      assertThat(holder.awaitLine(Duration.ofSeconds(20)))
          .as("the raw sockets opened: " + holder.errors())
          .isEqualTo("ready");
      String owner = holder.pid() + "/";
      var ours = new AtomicReference<List<SsListing.Socket>>(List.of());
      var inodes = new AtomicReference<List<Long>>(List.of());
      var difference = new AtomicReference<List<String>>(List.of());
      boolean agreed =
          Await.within(
              Duration.ofSeconds(20),
              Duration.ofMillis(100),
              () -> {
                Run run = wharfSockets("-wa", "-p", "-e", "--json");
                assertThat(run.exit()).as(run.err()).isZero();
                var listed = parseJson(run.out());
                inodes.set(
                    listed.stream()
                        .filter(s -> s.owners().stream().anyMatch(o -> o.startsWith(owner)))
                        .map(SsListing.Socket::inode)
                        .toList());
                ours.set(held(listed, owner));
                // ss prints no Netid column for one kind of socket: -t too brings it back.
                var ss = ExternalProcess.run(Duration.ofSeconds(10), "ss", "-wtanpeH", "-O");
                assertThat(ss.exit()).as(ss.err()).isZero();
                var theirs =
                    held(
                        ss.out().lines().filter(l -> !l.isBlank()).map(SsListing::parse).toList(),
                        owner);
                difference.set(SsListing.difference(ours.get(), theirs));
                return difference.get().isEmpty();
              });
      assertThat(agreed)
          .as("differences from ss:\n" + String.join("\n", difference.get()))
          .isTrue();
      assertThat(ours.get())
          .extracting(SsListing.Socket::local)
          .containsExactlyInAnyOrder("127.0.0.7:1", "[::1]:58");
      assertThat(ours.get()).allMatch(s -> s.netid().equals("raw") && s.state().equals("UNCONN"));
      assertThat(inodes.get())
          .as("the inodes of the child's sockets")
          .containsExactlyInAnyOrderElementsOf(socketInodes(holder.pid()));

      Run table = wharfSockets("-w", "-l", "-p");
      assertThat(table.out().lines())
          .as(table.out())
          .anyMatch(
              line ->
                  line.matches(
                      "raw +UNCONN +0 +0 +127\\.0\\.0\\.7:1 +0\\.0\\.0\\.0:\\* +users:\\(\\(\"python3\",pid="
                          + holder.pid()
                          + ",fd=\\d+\\)\\)"));
    }
  }

  /**
   * The sockets {@code owner} (a pid and a slash) holds, without inode and peer (see {@link
   * #rawSocketsMatchSs}).
   */
  private static List<SsListing.Socket> held(List<SsListing.Socket> sockets, String owner) {
    return sockets.stream()
        .filter(s -> s.owners().stream().anyMatch(o -> o.startsWith(owner)))
        .map(
            s ->
                new SsListing.Socket(
                    s.netid(),
                    s.state(),
                    s.recvQ(),
                    s.sendQ(),
                    s.local(),
                    "",
                    0,
                    s.owners(),
                    s.timer()))
        .toList();
  }

  /** The inodes of the sockets process {@code pid} holds, from its {@code /proc/PID/fd} links. */
  private static List<Long> socketInodes(long pid) throws IOException {
    var inodes = new java.util.ArrayList<Long>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        Matcher m = SOCKET_LINK.matcher(Files.readSymbolicLink(fd).toString());
        if (m.matches()) {
          inodes.add(Long.parseLong(m.group(1)));
        }
      }
    }
    return inodes;
  }
}
