package dev.wharf.cli.sockets;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.Owner;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketQuery;
import dev.wharf.inspect.SocketState;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which sockets {@code wharf sockets} shows, by ss's rules: kinds, families, states, ports and
 * owner. Kinds and states go to the kernel in the {@link #query}; the rest is matched here.
 * Immutable; any thread.
 *
 * @param kinds the kinds to show
 * @param families the families to show
 * @param states the states to show
 * @param sourcePorts local ports to show, or empty for any
 * @param destinationPorts peer ports to show, or empty for any
 * @param pid only sockets this process holds, or empty for any
 */
record SocketFilter(
    Set<SocketKind> kinds,
    Set<SocketFamily> families,
    Set<SocketState> states,
    Optional<PortRange> sourcePorts,
    Optional<PortRange> destinationPorts,
    Optional<Integer> pid) {

  /** ss's default: every state but listening, unconnected, TIME-WAIT and SYN-RECV. */
  static final Set<SocketState> DEFAULT_STATES =
      EnumSet.complementOf(
          EnumSet.of(
              SocketState.LISTEN, SocketState.CLOSE, SocketState.TIME_WAIT, SocketState.SYN_RECV));

  /** {@code -l}: listeners, and the UDP, raw and Unix datagram sockets that wait unconnected. */
  static final Set<SocketState> LISTENING = EnumSet.of(SocketState.LISTEN, SocketState.CLOSE);

  /**
   * The states a name of ss's state filter stands for: a state ({@code established}, {@code
   * time-wait}, {@code listening}, {@code closed}...) or a group ({@code all}, {@code connected},
   * {@code synchronized}, {@code bucket}, {@code big}), case aside.
   */
  static Set<SocketState> states(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    Set<SocketState> all = EnumSet.allOf(SocketState.class);
    return switch (key) {
      case "all" -> all;
      case "connected" -> without(all, SocketState.LISTEN, SocketState.CLOSE);
      case "synchronized" ->
          without(all, SocketState.LISTEN, SocketState.CLOSE, SocketState.SYN_SENT);
      case "bucket" -> EnumSet.of(SocketState.SYN_RECV, SocketState.TIME_WAIT);
      case "big" -> without(all, SocketState.SYN_RECV, SocketState.TIME_WAIT);
      case "established", "estab" -> EnumSet.of(SocketState.ESTABLISHED);
      case "syn-sent" -> EnumSet.of(SocketState.SYN_SENT);
      case "syn-recv" -> EnumSet.of(SocketState.SYN_RECV);
      case "fin-wait-1" -> EnumSet.of(SocketState.FIN_WAIT_1);
      case "fin-wait-2" -> EnumSet.of(SocketState.FIN_WAIT_2);
      case "time-wait" -> EnumSet.of(SocketState.TIME_WAIT);
      case "closed", "unconn", "unconnected" -> EnumSet.of(SocketState.CLOSE);
      case "close-wait" -> EnumSet.of(SocketState.CLOSE_WAIT);
      case "last-ack" -> EnumSet.of(SocketState.LAST_ACK);
      case "listening", "listen" -> EnumSet.of(SocketState.LISTEN);
      case "closing" -> EnumSet.of(SocketState.CLOSING);
      default ->
          throw new IllegalArgumentException(
              "unknown state '"
                  + name
                  + "'; expected established, syn-sent, syn-recv, fin-wait-1, fin-wait-2,"
                  + " time-wait, closed, close-wait, last-ack, listening, closing, or a group:"
                  + " all, connected, synchronized, bucket, big");
    };
  }

  private static Set<SocketState> without(Set<SocketState> all, SocketState... removed) {
    Set<SocketState> states = EnumSet.copyOf(all);
    states.removeAll(List.of(removed));
    return states;
  }

  /** What to ask the kernel for. */
  SocketQuery query(boolean tcpInfo, boolean owners) {
    return new SocketQuery(kinds, states, tcpInfo, owners || pid.isPresent());
  }

  /** Whether {@code socket} is to be shown. */
  boolean matches(SocketEntry socket) {
    if (!kinds.contains(socket.kind())
        || !families.contains(socket.family())
        || !states.contains(socket.state())) {
      return false;
    }
    if (sourcePorts.isPresent()
        && !(port(socket.local()).filter(sourcePorts.get()::contains).isPresent())) {
      return false;
    }
    if (destinationPorts.isPresent()
        && !(port(socket.peer()).filter(destinationPorts.get()::contains).isPresent())) {
      return false;
    }
    if (pid.isPresent()) {
      return socket.owners().stream().mapToInt(Owner::pid).anyMatch(p -> p == pid.get());
    }
    return true;
  }

  /** A port filter matches Internet sockets only: a Unix socket has no port. */
  private static Optional<Integer> port(Endpoint endpoint) {
    return endpoint instanceof Endpoint.Inet inet ? Optional.of(inet.port()) : Optional.empty();
  }
}
