package dev.wharf.cli.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Failures;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.KnownSockets;
import dev.wharf.testkit.SsListing;
import java.io.PrintWriter;
import java.io.StringWriter;
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
    var commandLine = new CommandLine(new SocketsCommand());
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
    String host = m.group(1).contains(":") ? "[" + m.group(1) + "]" : m.group(1);
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
