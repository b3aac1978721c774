package dev.wharf.inspect;

import java.util.List;

/**
 * The sockets a {@link SocketQuery} found, and where they were read from. Immutable; any thread.
 *
 * @param source netlink, or {@code /proc/net} when netlink was not available
 * @param sockets the sockets, TCP first, then UDP, raw and Unix, each in the kernel's order
 */
public record SocketListing(Source source, List<SocketEntry> sockets) {

  public SocketListing {
    sockets = List.copyOf(sockets);
  }

  /** Where the kernel's socket tables were read. */
  public enum Source {
    /** {@code NETLINK_SOCK_DIAG}, as ss reads them: everything, queues and timers exact. */
    NETLINK,
    /**
     * {@code /proc/net/{tcp,udp,raw,unix}(6)}: no {@code tcp_info}, no listener backlog (Send-Q is
     * 0), no Unix queues or peers.
     */
    PROC_NET
  }
}
