package dev.wharf.cli.audit;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.Owner;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketKind;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One listening socket as the audit judges it: where it listens, who holds it, from where it can be
 * reached, whether its port is a sensitive one and whether a rule allows it. Immutable; any thread.
 *
 * @param protocol {@code tcp} or {@code udp}
 * @param local the address and port it is bound to
 * @param owners the processes holding it (none when they cannot be seen: another user's, or the
 *     kernel's own)
 * @param uid the owning user, -1 when not known
 * @param reach from where it can be reached
 * @param sensitive what the port's well-known service is and why it matters, if it is one
 * @param allowedBy the rule that allows it, if any
 */
record Exposure(
    String protocol,
    Endpoint.Inet local,
    List<Owner> owners,
    int uid,
    Reach reach,
    Optional<String> sensitive,
    Optional<AllowRules.Rule> allowedBy) {

  Exposure {
    owners = List.copyOf(owners);
  }

  /** The audit's view of a TCP listener or a bound UDP socket, judged by {@code rules}. */
  static Exposure of(SocketEntry socket, AllowRules rules) {
    if (!(socket.local() instanceof Endpoint.Inet local)
        || (socket.kind() != SocketKind.TCP && socket.kind() != SocketKind.UDP)) {
      throw new IllegalArgumentException("not a TCP or UDP socket: " + socket);
    }
    String protocol = socket.kind().netid();
    boolean udp = socket.kind() == SocketKind.UDP;
    Reach reach = Reach.of(local.address());
    List<String> commands = commands(socket.owners());
    return new Exposure(
        protocol,
        local,
        socket.owners(),
        socket.uid(),
        reach,
        SensitivePorts.describe(udp, local.port()),
        reach.fromOutside() ? rules.allowing(protocol, local.port(), commands) : Optional.empty());
  }

  /** Reachable from outside and allowed by no rule: what makes the audit fail. */
  boolean isForbidden() {
    return reach.fromOutside() && allowedBy.isEmpty();
  }

  /** The holders' command names, each once, in the order first seen. */
  private static List<String> commands(List<Owner> owners) {
    return owners.stream().map(Owner::command).distinct().toList();
  }

  /**
   * Who holds the socket, as a person would say it: {@code sshd (pid 812)}, {@code nginx (pids 4,
   * 5)}, {@code a process of user 1000 this user cannot see}.
   */
  String holder() {
    if (owners.isEmpty()) {
      return uid < 0
          ? "a process that cannot be seen from here"
          : "a process of uid " + uid + " that cannot be seen from here";
    }
    return commands(owners).stream()
        .map(
            command -> {
              List<Integer> pids =
                  owners.stream()
                      .filter(o -> o.command().equals(command))
                      .map(Owner::pid)
                      .distinct()
                      .sorted()
                      .toList();
              String name = command.isEmpty() ? "a process that just ended" : command;
              return name
                  + (pids.size() == 1 ? " (pid " : " (pids ")
                  + pids.stream().map(String::valueOf).collect(Collectors.joining(", "))
                  + ")";
            })
        .collect(Collectors.joining(" and "));
  }

  /** Where, as {@code ss} prints it, with {@code /udp} after a UDP port: {@code 0.0.0.0:53/udp}. */
  String where() {
    return local.text() + (protocol.equals("udp") ? "/udp" : "");
  }

  /**
   * The plain sentence: {@code sshd (pid 812) on 0.0.0.0:22 is reachable from every network this
   * host is on}.
   */
  String sentence() {
    return holder() + " on " + where() + " is reachable from " + reach.phrase(local.host());
  }
}
