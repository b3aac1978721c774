package dev.wharf.inspect;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One socket as the kernel reports it: one line of {@code ss}. Immutable; any thread.
 *
 * <p>The queues mean what they mean to ss: for a listener, {@code receiveQueue} is the number of
 * connections waiting to be accepted and {@code sendQueue} the accept backlog; for a TCP
 * connection, bytes received and not yet read, and bytes sent and not yet acknowledged; for UDP and
 * Unix sockets, what the kernel holds in their buffers. A TIME-WAIT socket has inode 0 and no
 * owner: no process holds it any more.
 *
 * @param kind the transport (and Unix socket type)
 * @param family IPv4, IPv6 or Unix
 * @param state the state, in the kernel's TCP terms
 * @param local our end
 * @param peer the other end (the wildcard address and port 0 when none)
 * @param receiveQueue ss's Recv-Q
 * @param sendQueue ss's Send-Q
 * @param inode the socket's inode, by which processes are found (0 for TIME-WAIT)
 * @param uid the owning user id (-1 when the source does not tell)
 * @param timer the pending timer, for TCP
 * @param tcpInfo {@code tcp_info}, for TCP when asked for and read over netlink
 * @param owners the processes holding it, when asked for
 */
public record SocketEntry(
    SocketKind kind,
    SocketFamily family,
    SocketState state,
    Endpoint local,
    Endpoint peer,
    long receiveQueue,
    long sendQueue,
    long inode,
    int uid,
    Optional<SocketTimer> timer,
    Optional<TcpInfo> tcpInfo,
    List<Owner> owners) {

  public SocketEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(timer, "timer");
    Objects.requireNonNull(tcpInfo, "tcpInfo");
    owners = List.copyOf(owners);
  }

  /** This entry with {@code owners} instead of its own. */
  public SocketEntry withOwners(List<Owner> owners) {
    return new SocketEntry(
        kind,
        family,
        state,
        local,
        peer,
        receiveQueue,
        sendQueue,
        inode,
        uid,
        timer,
        tcpInfo,
        owners);
  }

  /** This entry with {@code peer} instead of its own (a Unix peer's name found later). */
  public SocketEntry withPeer(Endpoint peer) {
    return new SocketEntry(
        kind,
        family,
        state,
        local,
        peer,
        receiveQueue,
        sendQueue,
        inode,
        uid,
        timer,
        tcpInfo,
        owners);
  }
}
