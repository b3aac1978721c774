package dev.wharf.cli.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Failures;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.KnownSockets;
import dev.wharf.testkit.SsListing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code wharf sockets} command against the real {@code ss}, on sockets opened in known states
 * ({@link KnownSockets}): its {@code --json} names the same sockets, states, queues, inodes, timers
 * and owners; its columns show them.
 */
@Timeout(60)
class SocketsCommandIT {
  private static final Pattern SOCKET =
      Pattern.compile(
          "\\{\"netid\":\"(\\w+)\",\"family\":\"\\w+\",\"state\":\"([A-Z0-9-]+)\","
              + "\"recv_q\":(\\d+),\"send_q\":(\\d+),\"local\":\\{([^}]*)\\},\"peer\":\\{([^}]*)\\},"
              + "\"inode\":(\\d+),\"uid\":(?:null|\\d+),\"timer\":(null|\\{\"name\":\"(\\w+)\"[^}]*\\}),"
              + "\"owners\":\\[([^\\]]*)\\].*");
  private static final Pattern INET = Pattern.compile("\"address\":\"([^\"]+)\",\"port\":(\\d+)");
  private static final Pattern UNIX =
      Pattern.compile("\"path\":(?:null|\"([^\"]*)\"),\"inode\":(\\d+)");
  private static final Pattern OWNER =
      Pattern.compile("\"pid\":(\\d+),\"command\":\"[^\"]*\",\"fd\":(\\d+)");

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run wharfSockets(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var commandLine = new CommandLine(GeneratedModels.socketsCommand());
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    commandLine.setExecutionExceptionHandler(new Failures());
    commandLine.setParameterExceptionHandler(new Failures());
    int exit = commandLine.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** The sockets of {@code --json} output as ss would print them. */
  static List<SsListing.Socket> parseJson(String json) {
    assertThat(json).startsWith("{\"source\":\"netlink\",\"sockets\":[");
    var sockets = new ArrayList<SsListing.Socket>();
    for (String line : json.split("\n")) {
      if (!line.startsWith("{\"netid\"")) {
        continue;
      }
      Matcher m = SOCKET.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      boolean unix = m.group(1).startsWith("u_");
      Set<String> owners = new TreeSet<>();
      Matcher owner = OWNER.matcher(m.group(10));
      while (owner.find()) {
        owners.add(owner.group(1) + "/" + owner.group(2));
      }
      sockets.add(
          new SsListing.Socket(
              m.group(1),
              m.group(2),
              Long.parseLong(m.group(3)),
              Long.parseLong(m.group(4)),
              endpoint(m.group(5), unix, true),
              endpoint(m.group(6), unix, false),
              Long.parseLong(m.group(7)),
              owners,
              m.group(9) == null ? "" : m.group(9)));
    }
    return sockets;
  }

  private static String endpoint(String json, boolean unix, boolean local) {
    if (unix) {
      Matcher m = UNIX.matcher(json);
      assertThat(m.find()).as(json).isTrue();
      // ss writes a Unix peer as "* INODE" even when it has a name.
      String name = m.group(1) == null || !local ? "*" : m.group(1);
      return name + " " + m.group(2);
    }
    Matcher m = INET.matcher(json);
    assertThat(m.find()).as(json).isTrue();
    // ss's "*": the IPv6 wildcard of a socket that takes IPv4 too.
    String host =
        json.contains("\"dual_stack\":true")
            ? "*"
            : m.group(1).contains(":") ? "[" + m.group(1) + "]" : m.group(1);
    return host + ":" + (m.group(2).equals("0") ? "*" : m.group(2));
  }

  @Test
  void jsonListsWhatSsListsInEveryKnownState() throws Exception {
    try (var known = KnownSockets.open(dir)) {
      var difference = new AtomicReference<List<String>>(List.of());
      var ours = new AtomicReference<List<SsListing.Socket>>(List.of());
      boolean agreed =
          Await.within(
              Duration.ofSeconds(20),
              Duration.ofMillis(100),
              () -> {
                Run run = wharfSockets("-tuxa", "-p", "-e", "-o", "--json");
                assertThat(run.exit()).as(run.err()).isZero();
                ours.set(parseJson(run.out()).stream().filter(known::isOurs).toList());
                var theirs = SsListing.read().stream().filter(known::isOurs).toList();
                difference.set(SsListing.difference(ours.get(), theirs));
                return difference.get().isEmpty();
              });
      assertThat(agreed)
          .as("differences from ss:\n" + String.join("\n", difference.get()))
          .isTrue();
      assertThat(ours.get())
          .extracting(SsListing.Socket::state)
          .contains("LISTEN", "ESTAB", "CLOSE-WAIT", "FIN-WAIT-2", "TIME-WAIT", "UNCONN");
      assertThat(ours.get())
          .extracting(SsListing.Socket::netid)
          .contains("tcp", "udp", "u_str", "u_dgr");
    }
  }

  @Test
  void columnsShowTheListenerItsQueueAndItsOwner() throws Exception {
    try (var known = KnownSockets.open(dir)) {
      int port = known.timeWaitPort();
      Run run = wharfSockets("-t", "--state", "time-wait", "--dport", Integer.toString(port), "-o");
      assertThat(run.exit()).as(run.err()).isZero();
      List<String> lines = run.out().lines().toList();
      assertThat(lines.getFirst())
          .matches("Netid +State +Recv-Q +Send-Q +Local Address:Port +Peer Address:Port +Timer");
      assertThat(lines)
          .hasSize(2)
          .last()
          .asString()
          .matches(
              "tcp +TIME-WAIT +0 +0 +127\\.0\\.0\\.1:\\d+ +127\\.0\\.0\\.1:"
                  + port
                  + " +timer:\\(timewait,[0-9.a-z]+,0\\)");

      String me = Long.toString(ProcessHandle.current().pid());
      Run listeners = wharfSockets("-tl4", "-p", "-H", "--pid", me);
      assertThat(listeners.out().lines())
          .anyMatch(
              line ->
                  line.matches(
                      "tcp +LISTEN +"
                          + KnownSockets.WAITING
                          + " +"
                          + KnownSockets.BACKLOG
                          + " +127\\.0\\.0\\.1:\\d+ +0\\.0\\.0\\.0:\\* +users:\\(\\(\"java\",pid="
                          + me
                          + ",fd=\\d+\\)\\)"))
          .noneMatch(line -> line.startsWith("Netid"));
    }
  }

  /**
   * Each title of the header starts where its cells start (ends where they end, for the queues),
   * for every combination of -e, -o, -i and -p, on a listener and a connection with a keep-alive
   * timer (so the Timer column has a cell on one row and none on the other).
   */
  @Test
  void headerLinesUpWithItsColumnsForEveryCombinationOfDetails() throws Exception {
    var loopback = InetAddress.getLoopbackAddress();
    try (var listener = new ServerSocket(0, 8, loopback);
        var client = new Socket()) {
      client.setKeepAlive(true);
      client.connect(listener.getLocalSocketAddress(), 5_000);
      try (Socket accepted = listener.accept()) {
        accepted.setKeepAlive(true);
        String port = Integer.toString(listener.getLocalPort());
        List<String> details = List.of("-e", "-o", "-i", "-p");
        for (int combination = 0; combination < 16; combination++) {
          var args = new ArrayList<>(List.of("-ta", "--sport", port));
          for (int bit = 0; bit < details.size(); bit++) {
            if ((combination & (1 << bit)) != 0) {
              args.add(details.get(bit));
            }
          }
          Run run = wharfSockets(args.toArray(String[]::new));
          assertThat(run.exit()).as(run.err()).isZero();
          assertColumnsLineUp(args, run.out());
        }
      }
    }
  }

  /** A column: its title, what its cells start with, and whether it is right-aligned. */
  private record Column(String title, String cellStart, boolean right) {}

  private static void assertColumnsLineUp(List<String> args, String out) {
    var columns =
        new ArrayList<>(
            List.of(
                new Column("Netid", "tcp", false),
                new Column("State", "", false),
                new Column("Recv-Q", "", true),
                new Column("Send-Q", "", true),
                new Column("Local Address:Port", "", false),
                new Column("Peer Address:Port", "", false)));
    if (args.contains("-p")) {
      columns.add(new Column("Process", "users:((\"java\",pid=", false));
    }
    if (args.contains("-o")) {
      columns.add(new Column("Timer", "timer:(keepalive,", false));
    }
    if (args.contains("-e")) {
      columns.add(new Column("Uid", "uid:", false));
      columns.add(new Column("Inode", "ino:", false));
    }
    List<String> lines = out.lines().toList();
    String header = lines.getFirst();
    String what = String.join(" ", args) + ":\n" + out;
    assertThat(header.split(" {2,}"))
        .as(what)
        .containsExactly(columns.stream().map(Column::title).toArray(String[]::new));
    List<String> rows =
        lines.subList(1, lines.size()).stream().filter(l -> !l.startsWith("\t")).toList();
    assertThat(rows).as(what).hasSize(2);
    for (String row : rows) {
      boolean listening = row.contains("LISTEN");
      int from = 0;
      for (Column column : columns) {
        int start = header.indexOf(column.title(), from);
        int end = start + column.title().length();
        from = end;
        if (column.right()) {
          assertThat(row.charAt(end - 1))
              .as(column.title() + " ends with the title: " + what)
              .isBetween('0', '9');
          assertThat(row.charAt(end))
              .as(column.title() + " ends with the title: " + what)
              .isEqualTo(' ');
          continue;
        }
        if (listening && column.title().equals("Timer")) {
          // Blank, or the end of the line when no column follows.
          assertThat(row.substring(Math.min(start, row.length()), Math.min(end, row.length())))
              .as("a listener has no timer: " + what)
              .isBlank();
          continue;
        }
        assertThat(row.charAt(start - (start == 0 ? 0 : 1)))
            .as(column.title() + " starts after a space: " + what)
            .isEqualTo(start == 0 ? 't' : ' ');
        assertThat(row.substring(start))
            .as(column.title() + " starts under its title: " + what)
            .startsWith(column.cellStart())
            .doesNotStartWith(" ");
      }
    }
    if (args.contains("-i")) {
      int established =
          lines.indexOf(rows.stream().filter(r -> r.contains("ESTAB")).findFirst().orElseThrow());
      assertThat(lines.get(established + 1)).as(what).startsWith("\t rtt:");
    } else {
      assertThat(lines).as(what).noneMatch(line -> line.startsWith("\t"));
    }
  }

  /**
   * A listener on {@code ::} that takes IPv4 too (Java's default) is ss's {@code *} in the columns
   * and says {@code "dual_stack":true} in the JSON, which {@code "::"} alone would not tell; one on
   * {@code ::1} says nothing of it.
   */
  @Test
  void jsonTellsADualStackWildcardFromAnIpv6OnlyAddress() throws Exception {
    try (var dual = new ServerSocket();
        var loopback6 = new ServerSocket()) {
      dual.bind(new java.net.InetSocketAddress(InetAddress.getByName("::"), 0));
      loopback6.bind(new java.net.InetSocketAddress(InetAddress.getByName("::1"), 0));

      Run json = wharfSockets("-tl", "--json");
      assertThat(json.exit()).as(json.err()).isZero();
      assertThat(json.out())
          .contains(
              "\"local\":{\"address\":\"::\",\"port\":"
                  + dual.getLocalPort()
                  + ",\"dual_stack\":true}")
          .contains("\"local\":{\"address\":\"::1\",\"port\":" + loopback6.getLocalPort() + "}");
      assertThat(parseJson(json.out()))
          .extracting(SsListing.Socket::local)
          .contains("*:" + dual.getLocalPort(), "[::1]:" + loopback6.getLocalPort());

      Run text = wharfSockets("-tln");
      assertThat(text.out()).contains("*:" + dual.getLocalPort() + " ");
    }
  }

  @Test
  void summaryCountsByKindFamilyAndState() throws Exception {
    try (var _ = KnownSockets.open(dir)) {
      Run run = wharfSockets("-s", "--json");
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.out())
          .startsWith("{\"source\":\"netlink\",\"total\":")
          .contains("\"tcp\":{\"total\":")
          .containsPattern("\"u_dgr\":\\{\"total\":[1-9]")
          .containsPattern("\"TIME-WAIT\":[1-9]");
      Run text = wharfSockets("-s");
      assertThat(text.out()).startsWith("Sockets: ").contains("Netid", "IPv4", "IPv6", "LISTEN");
    }
  }
}
