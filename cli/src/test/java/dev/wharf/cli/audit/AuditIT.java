package dev.wharf.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.Failures;
import dev.wharf.testkit.ExternalProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code wharf audit} on sockets the test opens itself: in this JVM (wildcard and loopback, TCP and
 * UDP), and with socat in a private network namespace that has an address on a veth link besides
 * loopback, where nothing else listens, so that the exit status is the test's to decide. Each time
 * compared with what {@code ss -ltunp} reports.
 */
class AuditIT extends EndToEnd {
  private static final Pattern SOCKET =
      Pattern.compile(
          "\\{\"protocol\":\"(tcp|udp)\",\"address\":\"([^\"]+)\",\"port\":(\\d+),"
              + "\"reach\":\"(\\w+)\",\"reachable_from_outside\":(true|false),"
              + "\"allowed\":(true|false),\"allowed_by\":(null|\"[^\"]*\"),"
              + "\"sensitive\":(?:null|\"[^\"]*\"),\"uid\":(?:null|\\d+),"
              + "\"processes\":\\[([^\\]]*)\\],\"sentence\":\"([^\"]*)\"\\}");
  private static final Pattern PID = Pattern.compile("\"pid\":(\\d+),\"command\":\"([^\"]*)\"");
  private static final Pattern SS_LINE =
      Pattern.compile(
          "(tcp|udp) +\\S+ +\\d+ +\\d+ +(\\S+):(\\d+) +\\S+ +users:\\(\\(\"([^\"]+)\",pid=(\\d+).*");

  /** One socket of the audit's JSON, in the words ss would use. */
  record Found(
      String protocol,
      String address,
      int port,
      String reach,
      boolean allowed,
      String allowedBy,
      Set<String> processes,
      String sentence) {
    String key() {
      return protocol + " " + address + ":" + port + " " + processes;
    }
  }

  static List<Found> parse(String json) {
    assertThat(json).startsWith("{\"listening\":");
    var found = new ArrayList<Found>();
    for (String line : json.split("\n")) {
      if (!line.startsWith("{\"protocol\"")) {
        continue;
      }
      Matcher m = SOCKET.matcher(line.replaceFirst(",$", ""));
      assertThat(m.matches()).as(line).isTrue();
      var processes = new TreeSet<String>();
      Matcher pid = PID.matcher(m.group(8));
      while (pid.find()) {
        processes.add(pid.group(2) + "/" + pid.group(1));
      }
      found.add(
          new Found(
              m.group(1),
              m.group(2),
              Integer.parseInt(m.group(3)),
              m.group(4),
              Boolean.parseBoolean(m.group(6)),
              m.group(7).equals("null") ? "" : m.group(7).replace("\"", ""),
              processes,
              m.group(9)));
    }
    return found;
  }

  /** The listening sockets of {@code ss -Hltunp} output, keyed as {@link Found#key}. */
  static Set<String> ssKeys(String ss, Set<Integer> ports) {
    var keys = new TreeSet<String>();
    for (String line : ss.lines().toList()) {
      Matcher m = SS_LINE.matcher(line);
      if (m.matches() && ports.contains(Integer.parseInt(m.group(3)))) {
        // ss writes a dual-stack wildcard as *, and IPv6 addresses in brackets.
        String address = m.group(2).equals("*") ? "::" : m.group(2).replaceAll("[\\[\\]]", "");
        keys.add(
            m.group(1)
                + " "
                + address
                + ":"
                + m.group(3)
                + " "
                + Set.of(m.group(4) + "/" + m.group(5)));
      }
    }
    return keys;
  }

  record Run(int exit, String out, String err) {}

  static Run audit(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var commandLine = new CommandLine(GeneratedModels.auditCommand());
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    commandLine.setExecutionExceptionHandler(new Failures());
    commandLine.setParameterExceptionHandler(new Failures());
    int exit = commandLine.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void ownSocketsAreJudgedByTheirAddressAndOwnedByThisProcessAsSsSays() throws Exception {
    var loopback = InetAddress.getByName("127.0.0.1");
    try (var wildcard = new ServerSocket(0);
        var local = new ServerSocket(0, 5, loopback);
        var udp = new DatagramSocket(new InetSocketAddress(0))) {
      Set<Integer> ports =
          Set.of(wildcard.getLocalPort(), local.getLocalPort(), udp.getLocalPort());
      Run run = audit("--json", "--allow", Integer.toString(udp.getLocalPort()) + "/udp");
      assertThat(run.err()).isEmpty();
      List<Found> ours = parse(run.out()).stream().filter(f -> ports.contains(f.port())).toList();

      String me = "java/" + ProcessHandle.current().pid();
      assertThat(ours)
          .extracting(Found::protocol, Found::port, Found::reach, Found::allowed)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(
                  "tcp", wildcard.getLocalPort(), "everywhere", false),
              org.assertj.core.groups.Tuple.tuple("tcp", local.getLocalPort(), "local", true),
              org.assertj.core.groups.Tuple.tuple("udp", udp.getLocalPort(), "everywhere", true));
      assertThat(ours).allSatisfy(f -> assertThat(f.processes()).containsExactly(me));
      assertThat(ours)
          .filteredOn(f -> f.port() == wildcard.getLocalPort())
          .singleElement()
          .extracting(Found::sentence)
          .isEqualTo(
              "java (pid "
                  + ProcessHandle.current().pid()
                  + ") on *:" // a dual-stack wildcard, as ss writes it
                  + wildcard.getLocalPort()
                  + " is reachable from every network this host is on");
      // Something not allowed is reachable: whatever else the machine has, the audit fails.
      assertThat(run.exit()).isEqualTo(AuditCommand.EXPOSED);

      String ss = ExternalProcess.run(Duration.ofSeconds(20), "ss", "-Hltunp").out();
      assertThat(ours.stream().map(Found::key).collect(java.util.stream.Collectors.toSet()))
          .isEqualTo(ssKeys(ss, ports));
    }
  }

  /**
   * The setup of a private network namespace (a user namespace of its own too, as ScanIT's): an
   * address on one end of a veth pair besides loopback, socat listening on it, on the wildcard and
   * on loopback, ss's view written to {@code ss.txt}; then the command given, and the socats ended.
   * Each socat dies with the shell ({@code setpriv --pdeathsig}) if the test ends it first.
   */
  private Child inNamespace(Path out, String... args) throws Exception {
    String socat = "setpriv --pdeathsig KILL socat ";
    String setup =
        String.join(
                " && ",
                "ip link set lo up",
                "ip link add v0 type veth peer name v1",
                "ip addr add 192.0.2.1/24 dev v0",
                "ip link set v0 up",
                "ip link set v1 up")
            + "; "
            + socat
            + "TCP-LISTEN:2375,fork,reuseaddr PIPE & pids=\"$pids $!\"; "
            + socat
            + "TCP-LISTEN:6379,bind=127.0.0.1 PIPE & pids=\"$pids $!\"; "
            + socat
            + "TCP-LISTEN:8443,bind=192.0.2.1 PIPE & pids=\"$pids $!\"; "
            + socat
            + "UDP-RECVFROM:5353,bind=192.0.2.1,fork PIPE & pids=\"$pids $!\"; "
            // Waits for the four, within 10 s.
            + "i=0; until [ \"$(ss -Hltun | wc -l)\" -ge 4 ]; do i=$((i+1));"
            + " [ $i -gt 200 ] && echo 'socat did not start' >&2 && exit 99; sleep 0.05; done; "
            + "ss -Hltunp > "
            + dir.resolve("ss.txt")
            + "; \"$0\" \"$@\"; status=$?; kill $pids; wait; exit $status";
    return Child.wharfUnder(
        List.of("unshare", "-r", "-n", "sh", "-c", setup), Map.of(), null, out, args);
  }

  @Test
  void exposedAndNotAllowedExitsFourWithOneSentenceEach() throws Exception {
    Path out = dir.resolve("out");
    Child wharf = inNamespace(out, "audit", "--allow", "8443");
    try {
      assertThat(wharf.awaitExit(Duration.ofSeconds(30))).as("%s", wharf.errLines()).isEqualTo(4);
    } finally {
      wharf.end();
    }
    List<String> lines = Files.readAllLines(out);
    assertThat(lines)
        .first()
        .asString()
        .matches(
            "EXPOSED  socat \\(pid \\d+\\) on 0\\.0\\.0\\.0:2375 is reachable from every network"
                + " this host is on\\.");
    assertThat(lines)
        .contains(
            "           port 2375 is the Docker API without TLS: whoever reaches it is root on this"
                + " host.")
        .anyMatch(
            line ->
                line.matches(
                    "EXPOSED  socat \\(pid \\d+\\) on 192\\.0\\.2\\.1:5353/udp is reachable from"
                        + " any network that can reach 192\\.0\\.2\\.1\\."))
        .anyMatch(
            line ->
                line.matches(
                    "allowed  socat \\(pid \\d+\\) on 192\\.0\\.2\\.1:8443 is reachable from any"
                        + " network that can reach 192\\.0\\.2\\.1 \\(--allow 8443\\)\\."))
        .anyMatch(
            line ->
                line.matches(
                    "local    socat \\(pid \\d+\\) on 127\\.0\\.0\\.1:6379 is reachable from this"
                        + " host only\\."));
    assertThat(lines.getLast())
        .isEqualTo(
            "wharf audit: 4 listening sockets: 3 reachable from outside (2 not allowed), 1 from"
                + " this host only");
  }

  @Test
  void allowedByOptionsAndFileExitsZeroAndJsonMatchesSs() throws Exception {
    Path rules =
        Files.writeString(
            dir.resolve("audit.conf"),
            "# what this namespace may expose\nallow 2375   # the test's socat\n\nallow 5353/udp\n");
    Path out = dir.resolve("json");
    Child wharf =
        inNamespace(out, "audit", "--config", rules.toString(), "--allow", "8000-9000", "--json");
    try {
      assertThat(wharf.awaitExit(Duration.ofSeconds(30))).as("%s", wharf.errLines()).isZero();
    } finally {
      wharf.end();
    }
    String json = Files.readString(out);
    assertThat(json).startsWith("{\"listening\":4,\"reachable\":3,\"not_allowed\":0,");
    List<Found> found = parse(json);
    assertThat(found)
        .extracting(Found::port, Found::reach, Found::allowedBy)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(2375, "everywhere", rules + ":2"),
            org.assertj.core.groups.Tuple.tuple(5353, "address", rules + ":4"),
            org.assertj.core.groups.Tuple.tuple(8443, "address", "--allow 8000-9000"),
            org.assertj.core.groups.Tuple.tuple(6379, "local", ""));
    assertThat(found.stream().map(Found::key).collect(java.util.stream.Collectors.toSet()))
        .isEqualTo(ssKeys(Files.readString(dir.resolve("ss.txt")), Set.of(2375, 5353, 8443, 6379)));
  }

  @Test
  void aBadRulesFileNamesTheFileAndLine() throws Exception {
    Path rules = Files.writeString(dir.resolve("bad.conf"), "allow 22\npermit 80\n");
    Run run = audit("--config", rules.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("wharf: " + rules + ":2: expected 'allow RULE...', got 'permit 80'\n");
  }
}
