package dev.wharf.cli.sockets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.cli.Failures;
import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.Owner;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code wharf sockets}' arguments, parsed into its options; nothing is read. */
class SocketsArgumentsTest {

  static SocketsCommand.Options sockets(String... args) {
    var command = new SocketsCommand();
    new CommandLine(GeneratedModels.socketsCommand(command)).parseArgs(args);
    return command.options();
  }

  static SocketEntry tcp(SocketState state, int localPort, int peerPort, Owner... owners)
      throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    return new SocketEntry(
        SocketKind.TCP,
        SocketFamily.IPV4,
        state,
        new Endpoint.Inet(loopback, localPort),
        new Endpoint.Inet(loopback, peerPort),
        0,
        0,
        42,
        0,
        Optional.empty(),
        Optional.empty(),
        List.of(owners));
  }

  @Test
  void withoutOptionsConnectedSocketsOfEveryKindAsSs() {
    var options = sockets();
    assertThat(options.filter().kinds()).isEqualTo(EnumSet.allOf(SocketKind.class));
    assertThat(options.filter().states())
        .doesNotContain(
            SocketState.LISTEN, SocketState.CLOSE, SocketState.TIME_WAIT, SocketState.SYN_RECV)
        .contains(SocketState.ESTABLISHED, SocketState.CLOSE_WAIT, SocketState.FIN_WAIT_2);
    assertThat(options.header()).isTrue();
    assertThat(options.owners()).isFalse();
  }

  @Test
  void listeningMeansListenersAndUnconnectedDatagramSockets() {
    assertThat(sockets("-l").filter().states())
        .containsExactlyInAnyOrder(SocketState.LISTEN, SocketState.CLOSE);
    assertThat(sockets("-a").filter().states()).isEqualTo(EnumSet.allOf(SocketState.class));
  }

  @Test
  void stateNamesAndGroupsAreSs() {
    assertThat(sockets("--state", "time-wait,close-wait").filter().states())
        .containsExactlyInAnyOrder(SocketState.TIME_WAIT, SocketState.CLOSE_WAIT);
    assertThat(sockets("--state", "connected").filter().states())
        .doesNotContain(SocketState.LISTEN, SocketState.CLOSE)
        .contains(SocketState.TIME_WAIT, SocketState.SYN_RECV);
    assertThat(sockets("--state", "synchronized").filter().states())
        .doesNotContain(SocketState.SYN_SENT);
    assertThat(sockets("--state", "bucket").filter().states())
        .containsExactlyInAnyOrder(SocketState.SYN_RECV, SocketState.TIME_WAIT);
    assertThat(sockets("--state", "Listening", "--state", "closed").filter().states())
        .containsExactlyInAnyOrder(SocketState.LISTEN, SocketState.CLOSE);
  }

  @Test
  void kindsAndFamiliesCombineAsInSs() {
    var tcp4 = sockets("-t", "-4").filter();
    assertThat(tcp4.kinds()).containsExactly(SocketKind.TCP);
    assertThat(tcp4.families()).doesNotContain(SocketFamily.IPV6);
    assertThat(sockets("-6").filter().kinds()).noneMatch(SocketKind::isUnix);
    assertThat(sockets("-x").filter().kinds())
        .containsExactlyInAnyOrder(
            SocketKind.UNIX_STREAM, SocketKind.UNIX_DGRAM, SocketKind.UNIX_SEQPACKET);
    assertThat(sockets("-u", "-w").filter().kinds())
        .containsExactlyInAnyOrder(SocketKind.UDP, SocketKind.RAW);
  }

  @Test
  void portsAreOneOrARange() throws Exception {
    var filter = sockets("-a", "--sport", "8000-8100", "--dport", ":443").filter();
    assertThat(filter.matches(tcp(SocketState.ESTABLISHED, 8050, 443))).isTrue();
    assertThat(filter.matches(tcp(SocketState.ESTABLISHED, 8101, 443))).isFalse();
    assertThat(filter.matches(tcp(SocketState.ESTABLISHED, 8000, 80))).isFalse();
  }

  @Test
  void pidSelectsTheSocketsThatProcessHoldsAndImpliesOwners() throws Exception {
    var options = sockets("-a", "--pid", "812");
    assertThat(options.owners()).isTrue();
    assertThat(options.filter().query(false, false).owners()).isTrue();
    assertThat(options.filter().matches(tcp(SocketState.LISTEN, 22, 0, new Owner(812, "sshd", 3))))
        .isTrue();
    assertThat(options.filter().matches(tcp(SocketState.LISTEN, 22, 0, new Owner(9, "x", 3))))
        .isFalse();
  }

  @Test
  void mistakesAreNamed() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--state", "bogus"))
        .withMessageStartingWith("unknown state 'bogus'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--sport", "70000"))
        .withMessage("port 70000 is beyond 65535");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--dport", "90-80"))
        .withMessage("port range 90-80 ends before it starts");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--sport", "http"))
        .withMessageContaining("expected a port");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("-l", "-a"))
        .withMessageContaining("contradict");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--pid", "0"))
        .withMessageContaining("--pid");
  }

  @Test
  void aBadStateIsOneLineAndExitTwo() {
    var err = new StringWriter();
    var commandLine = new CommandLine(GeneratedModels.socketsCommand());
    commandLine.setErr(new PrintWriter(err));
    commandLine.setExecutionExceptionHandler(new Failures());
    commandLine.setParameterExceptionHandler(new Failures());
    assertThat(commandLine.execute("--state", "bogus")).isEqualTo(2);
    // Standing alone the command calls itself "wharf"; under Main, "wharf sockets".
    assertThat(err.toString().lines())
        .hasSize(1)
        .first()
        .asString()
        .startsWith("wharf: unknown state 'bogus'");
  }

  @Test
  void anotherSystemGetsOneLineAndANonZeroExit() {
    var command = new SocketsCommand();
    command.unsupported =
        () ->
            Optional.of(
                "listing sockets is not supported on Mac OS X: it reads Linux's sock_diag"
                    + " (netlink) and /proc");
    var err = new StringWriter();
    var out = new StringWriter();
    var commandLine = new CommandLine(GeneratedModels.socketsCommand(command));
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(out));
    assertThat(commandLine.execute("-l")).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "wharf sockets: listing sockets is not supported on Mac OS X: it reads Linux's"
                + " sock_diag (netlink) and /proc"
                + System.lineSeparator());
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void servicesComeFromEtcServicesFirstNameWins() {
    var services =
        Services.parse(
            List.of(
                "# comment",
                "http\t\t80/tcp\t\twww  # WorldWideWeb HTTP",
                "domain\t\t53/udp",
                "other\t\t80/tcp",
                "bad line"));
    assertThat(services.name("tcp", 80)).contains("http");
    assertThat(services.name("udp", 53)).contains("domain");
    assertThat(services.name("udp", 80)).isEmpty();
  }

  @Test
  void timesReadPlainly() {
    assertThat(SocketText.duration(345)).isEqualTo("345ms");
    assertThat(SocketText.duration(7_100)).isEqualTo("7.1s");
    assertThat(SocketText.duration(28_000)).isEqualTo("28s");
    assertThat(SocketText.duration(88_000)).isEqualTo("1min28s");
    assertThat(SocketText.bitsPerSecond(1_000_000)).isEqualTo("8.0Mbps");
  }

  @Test
  void watchAndFollowTakeAnIntervalAsWatchDoes() {
    var watch = sockets("-ta", "--watch").repeat().orElseThrow();
    assertThat(watch.watch()).isTrue();
    assertThat(watch.interval()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(sockets("-tan", "--watch").repeat().orElseThrow().interval())
        .as("-n alone stays ss's --numeric")
        .isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(sockets("--watch", "-n", "0.5").repeat().orElseThrow().interval())
        .isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(sockets("--watch", "--interval", "1", "--count", "3").repeat().orElseThrow().count())
        .isEqualTo(3);
    var follow = sockets("--follow", "8080", "--json").repeat().orElseThrow();
    assertThat(follow.followPort()).isEqualTo(8080);
    assertThat(follow.interval()).isEqualTo(java.time.Duration.ofMillis(20));
    assertThat(sockets("--follow", "8080").filter().kinds()).containsExactly(SocketKind.TCP);
    assertThat(sockets("--follow", "8080").filter().states())
        .isEqualTo(EnumSet.allOf(SocketState.class));
    assertThat(sockets("-ta").repeat()).isEmpty();
  }

  @Test
  void watchAndFollowMistakesAreNamed() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--watch", "--follow", "80"))
        .withMessage("--watch and --follow exclude each other: pick one");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--watch", "--json"))
        .withMessageStartingWith("--watch draws the table: leave out --json");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("-n", "2"))
        .withMessage("an interval needs --watch or --follow");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--watch", "-n", "0.01"))
        .withMessage("the interval must be 0.1 to 3600 seconds, got 0.01");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--follow", "0"))
        .withMessage("--follow takes a port from 1 to 65535, got 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--follow", "80", "-l"))
        .withMessageStartingWith("--follow follows TCP sockets in every state");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sockets("--watch", "-n", "soon"))
        .withMessage("-n takes a number of seconds (with --watch), got 'soon'");
  }

  @Test
  void watchMarksWhatAppearedChangedStateOrVanished() throws Exception {
    var samples =
        new java.util.ArrayDeque<>(
            List.of(
                List.of(
                    tcp(SocketState.ESTABLISHED, 5000, 80), tcp(SocketState.SYN_SENT, 5001, 80)),
                List.of(
                    tcp(SocketState.ESTABLISHED, 5000, 80),
                    tcp(SocketState.ESTABLISHED, 5001, 80),
                    tcp(SocketState.SYN_SENT, 5002, 80))));
    var table = new SocketTable(new SocketText(Optional.empty()), false, false, false, false);
    var out = new StringWriter();
    new SocketWatch(table, false, true, java.time.Duration.ofMillis(1), "wharf sockets")
        .run(samples::removeFirst, 2, new PrintWriter(out));
    List<String> frames = List.of(out.toString().split("\n\n(?=Every)"));
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0)).startsWith("Every 1ms: wharf sockets    ");
    assertThat(frames.get(0).lines()).noneMatch(line -> line.matches("[+~-] .*"));
    assertThat(frames.get(1).lines())
        .anyMatch(line -> line.matches("  tcp +ESTAB .*127\\.0\\.0\\.1:5000 .*"))
        .anyMatch(line -> line.matches("~ tcp +ESTAB .*127\\.0\\.0\\.1:5001 .*"))
        .anyMatch(line -> line.matches("\\+ tcp +SYN-SENT .*127\\.0\\.0\\.1:5002 .*"));

    samples.add(List.of(tcp(SocketState.ESTABLISHED, 5000, 80)));
    samples.add(List.of());
    var terminal = new StringWriter();
    new SocketWatch(table, true, true, java.time.Duration.ofMillis(1), "wharf sockets")
        .run(samples::removeFirst, 2, new PrintWriter(terminal));
    assertThat(terminal.toString())
        .as("redrawn in place, the vanished socket in red")
        .startsWith("\u001b[H\u001b[2J")
        .containsPattern("\u001b\\[31m- tcp +ESTAB .*\u001b\\[0m");
  }
}
