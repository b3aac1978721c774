package dev.wharf.inspect;

import java.util.EnumSet;
import java.util.Set;

/**
 * Which sockets to list and what to read about them. Kinds and states are passed to the kernel, so
 * a narrow query is also a cheap one. Immutable; any thread.
 *
 * @param kinds the kinds wanted
 * @param states the states wanted
 * @param tcpInfo whether to read {@code tcp_info} for TCP sockets ({@code ss -i})
 * @param owners whether to find the owning processes ({@code ss -p}), scanning {@code /proc}
 */
public record SocketQuery(
    Set<SocketKind> kinds, Set<SocketState> states, boolean tcpInfo, boolean owners) {

  public SocketQuery {
    kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
    states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
  }

  /** Every socket of every kind, in every state, without TCP details or owners. */
  public static SocketQuery all() {
    return new SocketQuery(
        EnumSet.allOf(SocketKind.class), EnumSet.allOf(SocketState.class), false, false);
  }

  /** This query for {@code kinds} only. */
  public SocketQuery withKinds(Set<SocketKind> kinds) {
    return new SocketQuery(kinds, states, tcpInfo, owners);
  }

  /** This query for sockets in {@code states} only. */
  public SocketQuery withStates(Set<SocketState> states) {
    return new SocketQuery(kinds, states, tcpInfo, owners);
  }

  /** This query, reading {@code tcp_info} or not. */
  public SocketQuery withTcpInfo(boolean tcpInfo) {
    return new SocketQuery(kinds, states, tcpInfo, owners);
  }

  /** This query, finding owners or not. */
  public SocketQuery withOwners(boolean owners) {
    return new SocketQuery(kinds, states, tcpInfo, owners);
  }
}
