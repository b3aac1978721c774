package dev.wharf.cli.sockets;

import dev.wharf.cli.io.BufferedLines;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketListing;
import dev.wharf.inspect.SocketState;
import dev.wharf.inspect.Sockets;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wharf sockets}: the machine's sockets, as {@code ss} lists them, with {@code --json}. */
@Command(
    name = "sockets",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Lists the machine's sockets as ss does, from the kernel's sock_diag (netlink), or"
          + " /proc/net where netlink is not available: TCP, UDP, raw and Unix sockets, their"
          + " states, queues, owners, timers and TCP details.",
      "Without -a or -l, connected sockets only (not listening, unconnected, TIME-WAIT or"
          + " SYN-RECV), as ss. Linux only."
    })
public final class SocketsCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-l", "--listening"},
      description = "Only listening sockets (and unconnected UDP, raw and Unix datagram ones).")
  boolean listening;

  @Option(
      names = {"-a", "--all"},
      description = "Sockets in every state.")
  boolean all;

  @Option(
      names = {"-t", "--tcp"},
      description = "TCP sockets.")
  boolean tcp;

  @Option(
      names = {"-u", "--udp"},
      description = "UDP sockets.")
  boolean udp;

  @Option(
      names = {"-x", "--unix"},
      description = "Unix-domain sockets (stream, datagram, seqpacket).")
  boolean unix;

  @Option(
      names = {"-w", "--raw"},
      description = "Raw sockets.")
  boolean raw;

  @Option(names = "-4", description = "IPv4 sockets only.")
  boolean ipv4;

  @Option(names = "-6", description = "IPv6 sockets only.")
  boolean ipv6;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      split = ",",
      description =
          "Only these states (repeatable, or comma-separated): established, syn-sent, syn-recv,"
              + " fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, listening,"
              + " closing, or a group: all, connected, synchronized, bucket, big.")
  List<String> states = new ArrayList<>();

  @Option(
      names = "--sport",
      paramLabel = "PORT[-PORT]",
      description = "Only sockets whose local port is this one or in this range.")
  String sourcePort;

  @Option(
      names = "--dport",
      paramLabel = "PORT[-PORT]",
      description = "Only sockets whose peer port is this one or in this range.")
  String destinationPort;

  @Option(
      names = {"-p", "--processes"},
      description = "Show the processes holding each socket (pid, command, fd).")
  boolean processes;

  @Option(
      names = "--pid",
      paramLabel = "PID",
      description = "Only the sockets this process holds (implies -p).")
  Integer pid;

  @Option(
      names = "--numeric",
      description = "Ports as numbers (the default; for ss's habits, as -n).")
  boolean numeric;

  /** ss's {@code -n} alone; with a value, watch's {@code -n SECONDS}. */
  @Option(
      names = "-n",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "SECONDS",
      description =
          "Alone: ports as numbers, as ss -n (the default). With a value and --watch or"
              + " --follow: the interval, as watch -n.")
  String numericOrInterval;

  @Option(
      names = "--watch",
      description =
          "List again every interval (default 2 s), redrawn in place on a terminal, marking the"
              + " sockets that appeared (+), changed state (~) or vanished (-) since the last.")
  boolean watch;

  @Option(
      names = "--follow",
      paramLabel = "PORT",
      description =
          "Print each state change of the TCP sockets on PORT (local or peer) as it happens, with"
              + " the time, by listing them every interval (default 0.02 s); with --json, one"
              + " object a line.")
  Integer follow;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      description = "How often --watch and --follow list the sockets (as -n SECONDS).")
  Double interval;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "With --watch or --follow: stop after N listings (default: until Ctrl-C).")
  Integer count;

  @Option(
      names = {"-r", "--resolve"},
      description = "Ports as service names, from /etc/services.")
  boolean resolve;

  @Option(
      names = {"-e", "--extended"},
      description = "Show each socket's uid and inode.")
  boolean extended;

  @Option(
      names = {"-o", "--options"},
      description = "Show TCP timers: retransmit (on), keepalive, timewait, persist, time left.")
  boolean timers;

  @Option(
      names = {"-i", "--info"},
      description =
          "Show TCP details from tcp_info: rtt/rttvar, rto, mss, cwnd, retransmits, delivery rate.")
  boolean info;

  @Option(
      names = {"-s", "--summary"},
      description = "Print counts by kind, family and state instead of the sockets.")
  boolean summary;

  @Option(names = "--json", description = "Write JSON (field names in docs/cli.md).")
  boolean json;

  @Option(
      names = {"-H", "--no-header"},
      description = "Leave out the header line.")
  boolean noHeader;

  /** Why sockets cannot be listed here; a test stands in for another OS. */
  Supplier<Optional<String>> unsupported = Sockets::unsupportedReason;

  /** Whether stdout is a terminal (redrawn in place, in colour); a test says. */
  BooleanSupplier terminal = () -> System.console() != null && System.console().isTerminal();

  /** What the command line asked for. */
  record Options(
      SocketFilter filter,
      boolean owners,
      boolean resolve,
      boolean extended,
      boolean timers,
      boolean tcpInfo,
      boolean summary,
      boolean json,
      boolean header,
      Optional<Repeat> repeat) {}

  /** {@code --watch} or {@code --follow}: how to list again and again. */
  record Repeat(boolean watch, int followPort, Duration interval, int count) {}

  /** Parses and checks the arguments; reads nothing. */
  public Options options() {
    Set<SocketKind> kinds = EnumSet.noneOf(SocketKind.class);
    if (tcp) {
      kinds.add(SocketKind.TCP);
    }
    if (udp) {
      kinds.add(SocketKind.UDP);
    }
    if (raw) {
      kinds.add(SocketKind.RAW);
    }
    if (unix) {
      kinds.addAll(
          EnumSet.of(SocketKind.UNIX_STREAM, SocketKind.UNIX_DGRAM, SocketKind.UNIX_SEQPACKET));
    }
    boolean inetOnly = (ipv4 || ipv6) && !unix;
    if (kinds.isEmpty()) {
      kinds = EnumSet.allOf(SocketKind.class);
      if (inetOnly) {
        kinds.removeIf(SocketKind::isUnix); // ss -4 alone: Internet sockets only
      }
    }
    Set<SocketFamily> families = EnumSet.of(SocketFamily.UNIX);
    if (ipv4 || !ipv6) {
      families.add(SocketFamily.IPV4);
    }
    if (ipv6 || !ipv4) {
      families.add(SocketFamily.IPV6);
    }
    if (listening && all) {
      throw new IllegalArgumentException("-l and -a contradict each other: pick one");
    }
    Set<SocketState> wanted = EnumSet.noneOf(SocketState.class);
    for (String state : states) {
      wanted.addAll(SocketFilter.states(state.trim()));
    }
    if (wanted.isEmpty()) {
      if (all || (summary && !listening)) {
        wanted = EnumSet.allOf(SocketState.class);
      } else if (listening) {
        wanted = EnumSet.copyOf(SocketFilter.LISTENING);
      } else {
        wanted = EnumSet.copyOf(SocketFilter.DEFAULT_STATES);
      }
    } else if (listening || all) {
      throw new IllegalArgumentException(
          "--state and " + (all ? "-a" : "-l") + " contradict each other: pick one");
    }
    Optional<Repeat> repeat = repeat();
    if (repeat.isPresent() && repeat.get().followPort() > 0) {
      if (!states.isEmpty() || listening || all || udp || unix || raw || summary) {
        throw new IllegalArgumentException(
            "--follow follows TCP sockets in every state: leave out -l, -a, --state, -u, -x, -w"
                + " and -s");
      }
      kinds = EnumSet.of(SocketKind.TCP);
      wanted = EnumSet.allOf(SocketState.class);
    }
    if (pid != null && pid <= 0) {
      throw new IllegalArgumentException("--pid must be a process id above 0, got " + pid);
    }
    var filter =
        new SocketFilter(
            kinds,
            families,
            wanted,
            Optional.ofNullable(sourcePort).map(PortRange::parse),
            Optional.ofNullable(destinationPort).map(PortRange::parse),
            Optional.ofNullable(pid));
    return new Options(
        filter,
        processes || pid != null,
        resolve,
        extended,
        timers,
        info,
        summary,
        json,
        !noHeader,
        repeat);
  }

  /** {@code --watch}, {@code --follow}, their interval and count, checked. */
  private Optional<Repeat> repeat() {
    String intervalText = numericOrInterval == null ? "" : numericOrInterval.trim();
    if (!intervalText.isEmpty() && interval != null) {
      throw new IllegalArgumentException("give the interval once: -n SECONDS or --interval");
    }
    Double seconds = interval;
    if (!intervalText.isEmpty()) {
      try {
        seconds = Double.valueOf(intervalText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "-n takes a number of seconds (with --watch), got '" + intervalText + "'");
      }
    }
    if (!watch && follow == null) {
      if (seconds != null || count != null) {
        throw new IllegalArgumentException(
            (count != null ? "--count" : "an interval") + " needs --watch or --follow");
      }
      return Optional.empty();
    }
    if (watch && follow != null) {
      throw new IllegalArgumentException("--watch and --follow exclude each other: pick one");
    }
    if (follow != null && (follow < 1 || follow > 65535)) {
      throw new IllegalArgumentException("--follow takes a port from 1 to 65535, got " + follow);
    }
    if (watch && (json || summary)) {
      throw new IllegalArgumentException(
          "--watch draws the table: leave out "
              + (json ? "--json (--follow PORT --json writes changes as JSON lines)" : "-s"));
    }
    double minimum = watch ? 0.1 : 0.001;
    double value = seconds == null ? (watch ? 2 : 0.02) : seconds;
    if (!(value >= minimum) || value > 3600) {
      throw new IllegalArgumentException(
          "the interval must be " + minimum + " to 3600 seconds, got " + value);
    }
    if (count != null && count < 1) {
      throw new IllegalArgumentException("--count must be at least 1, got " + count);
    }
    return Optional.of(
        new Repeat(
            watch,
            follow == null ? 0 : follow,
            Duration.ofNanos(Math.round(value * 1e9)),
            count == null ? 0 : count));
  }

  @Override
  public Integer call() throws IOException {
    Options options = options();
    // Tables and --follow's rounds go out whole: each flush below is one write.
    PrintWriter out = BufferedLines.over(spec.commandLine().getOut());
    Optional<String> reason = unsupported.get();
    if (reason.isPresent()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("wharf sockets: " + reason.get());
      err.flush();
      return 1;
    }
    if (options.repeat().isPresent()) {
      return repeat(options, options.repeat().get(), out);
    }
    SocketListing listing =
        Sockets.list(options.filter().query(options.tcpInfo(), options.owners()));
    List<SocketEntry> shown = listing.sockets().stream().filter(options.filter()::matches).toList();
    if (options.summary()) {
      var summary = new SocketSummary(shown);
      if (options.json()) {
        summary.writeJson(listing.source(), out);
      } else {
        summary.writeText(listing.source(), out);
      }
    } else if (options.json()) {
      SocketJson.write(listing.source(), shown, out);
    } else {
      table(options).write(shown, options.header(), out);
    }
    out.flush();
    return 0;
  }

  private static SocketTable table(Options options) throws IOException {
    var text =
        new SocketText(
            options.resolve()
                ? Optional.of(Services.read(Path.of("/etc/services")))
                : Optional.empty());
    return new SocketTable(
        text, options.owners(), options.timers(), options.extended(), options.tcpInfo());
  }

  /** {@code --watch} or {@code --follow}: until Ctrl-C (the JVM's exit) or {@code --count}. */
  private int repeat(Options options, Repeat repeat, PrintWriter out) throws IOException {
    var query = options.filter().query(options.tcpInfo(), options.owners());
    try {
      if (repeat.watch()) {
        // As watch's header: the command as typed (its arguments after the command's name).
        List<String> typed = spec.commandLine().getParseResult().originalArgs();
        int from = typed.indexOf(spec.name());
        String title =
            String.join(" ", List.of("wharf", spec.name()))
                + typed.subList(from + 1, typed.size()).stream()
                    .map(arg -> " " + arg)
                    .reduce("", String::concat);
        new SocketWatch(
                table(options), terminal.getAsBoolean(), options.header(), repeat.interval(), title)
            .run(
                () ->
                    Sockets.list(query).sockets().stream()
                        .filter(options.filter()::matches)
                        .toList(),
                repeat.count(),
                out);
      } else {
        var follow = new SocketFollow(repeat.followPort(), repeat.interval(), options.json());
        follow.run(
            () ->
                Sockets.list(query).sockets().stream()
                    .filter(socket -> options.filter().matches(socket) && follow.onPort(socket))
                    .toList(),
            repeat.count(),
            out,
            spec.commandLine().getErr());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.flush();
    return 0;
  }
}
