package dev.wharf.inspect.internal;

import dev.wharf.core.LazyLogger;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketQuery;
import dev.wharf.inspect.SocketState;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * Dumps the kernel's socket tables over {@code NETLINK_SOCK_DIAG}, as {@code ss} does: one request
 * per family and protocol ({@code SOCK_DIAG_BY_FAMILY}), one for Unix sockets. Where the kernel
 * lacks a protocol's diag module (ENOENT: {@code raw_diag}, {@code udp_diag}) that protocol is read
 * from {@code /proc/net} instead. Stateless; the calling thread owns the socket it is given.
 */
public final class SockDiag {
  private static final System.Logger LOG = LazyLogger.of(SockDiag.class);
  private static final int ENOENT = 2;

  private SockDiag() {}

  /** The sockets {@code query} asks for, owners not yet found. */
  public static List<SocketEntry> dump(NetlinkSocket socket, SocketQuery query) throws IOException {
    int stateMask = 0;
    for (SocketState state : query.states()) {
      stateMask |= 1 << state.code();
    }
    var sockets = new ArrayList<SocketEntry>();
    int seq = 0;
    try (Arena arena = Arena.ofConfined()) {
      for (SocketKind kind : List.of(SocketKind.TCP, SocketKind.UDP, SocketKind.RAW)) {
        if (!query.kinds().contains(kind)) {
          continue;
        }
        for (SocketFamily family : List.of(SocketFamily.IPV4, SocketFamily.IPV6)) {
          byte code = family == SocketFamily.IPV4 ? InetDiag.AF_INET : InetDiag.AF_INET6;
          String what = "sock_diag " + kind.netid() + (family == SocketFamily.IPV4 ? "" : "6");
          int request = ++seq;
          socket.send(InetDiag.request(arena, request, code, kind, stateMask, query.tcpInfo()));
          try {
            NetlinkMessages.readDump(
                socket,
                request,
                InetDiag.SOCK_DIAG_BY_FAMILY,
                what,
                payload -> InetDiag.parse(kind, payload, query.tcpInfo()).ifPresent(sockets::add));
          } catch (NetlinkMessages.NetlinkError e) {
            if (e.errno != ENOENT) {
              throw e;
            }
            LOG.log(System.Logger.Level.DEBUG, "{0} not in this kernel; reading /proc/net", what);
            sockets.addAll(ProcNet.readInet(kind, family, query.states()));
          }
        }
      }
      if (query.kinds().stream().anyMatch(SocketKind::isUnix)) {
        var unix = new ArrayList<UnixDiag.Raw>();
        int request = ++seq;
        socket.send(UnixDiag.request(arena, request, stateMask));
        NetlinkMessages.readDump(
            socket,
            request,
            InetDiag.SOCK_DIAG_BY_FAMILY,
            "sock_diag unix",
            payload -> UnixDiag.parse(payload).ifPresent(unix::add));
        for (SocketEntry entry : UnixDiag.withPeerNames(unix)) {
          if (query.kinds().contains(entry.kind())) {
            sockets.add(entry);
          }
        }
      }
    }
    return sockets;
  }
}
