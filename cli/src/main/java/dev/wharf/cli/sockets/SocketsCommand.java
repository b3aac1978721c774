package dev.wharf.cli.sockets;

import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketListing;
import dev.wharf.inspect.SocketState;
import dev.wharf.inspect.Sockets;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
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
      names = {"-n", "--numeric"},
      description = "Ports as numbers (the default; for ss's habits).")
  boolean numeric;

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
      boolean header) {}

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
        !noHeader);
  }

  @Override
  public Integer call() throws IOException {
    Options options = options();
    PrintWriter out = spec.commandLine().getOut();
    Optional<String> reason = unsupported.get();
    if (reason.isPresent()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("wharf sockets: " + reason.get());
      err.flush();
      return 1;
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
      var text =
          new SocketText(
              options.resolve()
                  ? Optional.of(Services.read(Path.of("/etc/services")))
                  : Optional.empty());
      new SocketTable(
              text, options.owners(), options.timers(), options.extended(), options.tcpInfo())
          .write(shown, options.header(), out);
    }
    out.flush();
    return 0;
  }
}
