package dev.wharf.cli.audit;

import dev.wharf.cli.Failures;
import dev.wharf.cli.io.BufferedLines;
import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketQuery;
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

/**
 * {@code wharf audit}: every listening socket with its process, and whether it can be reached from
 * outside this host; fails (exit 4) when something is that no rule allows, so that it can run in
 * CI.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Lists every listening TCP socket and bound UDP socket with its process, one sentence each,"
          + " marked EXPOSED when bound to a wildcard or a non-loopback address (reachable from"
          + " outside this host) and no rule allows it. Sensitive well-known ports (ssh, telnet,"
          + " databases, the Docker API...) are called out.",
      "Exit status: 0 when nothing is exposed beyond what is allowed, 4 when something is, 1 when"
          + " the sockets cannot be read, 2 for a mistake in the arguments. Linux only; run as"
          + " root to see every process."
    })
public final class AuditCommand implements Callable<Integer> {

  /** The exit status when a socket is reachable from outside and not allowed. */
  public static final int EXPOSED = 4;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--allow",
      paramLabel = "PORT|PROCESS",
      description =
          "May be reachable from outside: a port (22), a port of one protocol (53/udp), a range"
              + " (8000-8099) or a process name (nginx). Repeatable, or comma-separated.")
  List<String> allow = new ArrayList<>();

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Read more rules from FILE: one 'allow RULE...' per line, # starts a comment.")
  Path config;

  @Option(
      names = {"-t", "--tcp"},
      description = "TCP listeners only.")
  boolean tcp;

  @Option(
      names = {"-u", "--udp"},
      description = "UDP sockets only.")
  boolean udp;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only what is exposed and not allowed, and the summary line.")
  boolean quiet;

  @Option(names = "--json", description = "Write JSON (field names in docs/cli.md).")
  boolean json;

  /** Why sockets cannot be listed here; a test stands in for another OS. */
  Supplier<Optional<String>> unsupported = Sockets::unsupportedReason;

  /** What the command line asked for. */
  record Options(AllowRules rules, Set<SocketKind> kinds, boolean quiet, boolean json) {}

  /** Parses and checks the arguments, reading the rules' file; lists no socket. */
  Options options() throws IOException {
    AllowRules rules = AllowRules.ofOptions(allow);
    if (config != null) {
      try {
        rules = rules.and(AllowRules.read(config));
      } catch (java.nio.file.FileSystemException e) {
        // A file that is not there is a mistake in the command line, as serve's missing DIR.
        throw new IllegalArgumentException(Failures.describe(e), e);
      }
    }
    Set<SocketKind> kinds = EnumSet.noneOf(SocketKind.class);
    if (tcp || !udp) {
      kinds.add(SocketKind.TCP);
    }
    if (udp || !tcp) {
      kinds.add(SocketKind.UDP);
    }
    return new Options(rules, kinds, quiet, json);
  }

  @Override
  public Integer call() throws IOException {
    Options options = options();
    Optional<String> reason = unsupported.get();
    if (reason.isPresent()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("wharf audit: " + reason.get());
      err.flush();
      return 1;
    }
    // Listening TCP sockets, and UDP ones that wait unconnected: what ss -tulp lists.
    var query =
        new SocketQuery(
            options.kinds(), EnumSet.of(SocketState.LISTEN, SocketState.CLOSE), false, true);
    var exposures = new ArrayList<Exposure>();
    for (SocketEntry socket : Sockets.list(query).sockets()) {
      if (isListening(socket)) {
        exposures.add(Exposure.of(socket, options.rules()));
      }
    }
    var report = new AuditReport(exposures);
    PrintWriter out = BufferedLines.over(spec.commandLine().getOut());
    if (options.json()) {
      report.writeJson(out);
      out.flush();
    } else {
      report.writeText(out, options.quiet());
      out.flush(); // The report first, then what it could not see.
      long unseen = exposures.stream().filter(e -> e.owners().isEmpty()).count();
      if (unseen > 0 && !isRoot()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "wharf audit: the processes of "
                + unseen
                + " socket"
                + (unseen == 1 ? "" : "s")
                + " cannot be seen by this user; run as root to see them");
        err.flush();
      }
    }
    return report.forbidden() > 0 ? EXPOSED : 0;
  }

  /**
   * A TCP listener, or a UDP socket bound to a port and connected to no one: datagrams from anyone
   * reach it. A connected UDP socket takes only its peer's; a TCP socket in state CLOSE is not
   * listening yet.
   */
  static boolean isListening(SocketEntry socket) {
    if (!(socket.local() instanceof Endpoint.Inet local) || local.port() == 0) {
      return false;
    }
    return switch (socket.kind()) {
      case TCP -> socket.state() == SocketState.LISTEN;
      case UDP -> socket.state() == SocketState.CLOSE;
      default -> false;
    };
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
