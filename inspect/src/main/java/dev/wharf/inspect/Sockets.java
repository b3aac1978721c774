package dev.wharf.inspect;

import dev.wharf.core.LazyLogger;
import dev.wharf.inspect.internal.NetlinkSocket;
import dev.wharf.inspect.internal.ProcNet;
import dev.wharf.inspect.internal.ProcessScan;
import dev.wharf.inspect.internal.SockDiag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Lists the machine's sockets, as {@code ss} does: over netlink's sock_diag, or from {@code
 * /proc/net} where netlink is not available. Stateless; any thread may call it, each call reads
 * afresh.
 */
public final class Sockets {
  private static final System.Logger LOG = LazyLogger.of(Sockets.class);

  private Sockets() {}

  /**
   * Why sockets cannot be listed on this system, or empty where they can: they come from Linux's
   * sock_diag and {@code /proc}, which other systems do not have.
   */
  public static Optional<String> unsupportedReason() {
    String os = System.getProperty("os.name", "");
    if (os.toLowerCase(Locale.ROOT).startsWith("linux")) {
      return Optional.empty();
    }
    return Optional.of(
        "listing sockets is not supported on "
            + os
            + ": it reads Linux's sock_diag (netlink) and /proc");
  }

  /**
   * The sockets {@code query} asks for: over netlink, or from {@code /proc/net} when netlink cannot
   * be used (native access denied, a kernel without sock_diag).
   *
   * @throws UnsupportedOperationException when not on Linux (see {@link #unsupportedReason})
   * @throws IOException when neither source can be read
   */
  public static SocketListing list(SocketQuery query) throws IOException {
    requireSupported();
    Optional<NetlinkSocket> netlink = NetlinkSocket.tryOpen();
    if (netlink.isEmpty()) {
      LOG.log(System.Logger.Level.DEBUG, "netlink sock_diag unavailable; reading /proc/net");
      return list(query, SocketListing.Source.PROC_NET);
    }
    try (NetlinkSocket socket = netlink.get()) {
      return withOwners(
          query, new SocketListing(SocketListing.Source.NETLINK, SockDiag.dump(socket, query)));
    }
  }

  /**
   * The sockets {@code query} asks for, read from {@code source} only (a test compares the two).
   *
   * @throws IOException when that source cannot be read
   */
  public static SocketListing list(SocketQuery query, SocketListing.Source source)
      throws IOException {
    requireSupported();
    return switch (source) {
      case NETLINK -> {
        try (NetlinkSocket socket =
            NetlinkSocket.tryOpen()
                .orElseThrow(() -> new IOException("netlink sock_diag is not available"))) {
          yield withOwners(query, new SocketListing(source, SockDiag.dump(socket, query)));
        }
      }
      case PROC_NET -> withOwners(query, new SocketListing(source, ProcNet.read(query)));
    };
  }

  private static void requireSupported() {
    unsupportedReason()
        .ifPresent(
            reason -> {
              throw new UnsupportedOperationException(reason);
            });
  }

  private static SocketListing withOwners(SocketQuery query, SocketListing listing) {
    if (!query.owners()) {
      return listing;
    }
    Map<Long, List<Owner>> owners = ProcessScan.socketOwners();
    var sockets = new ArrayList<SocketEntry>(listing.sockets().size());
    for (SocketEntry socket : listing.sockets()) {
      List<Owner> found = socket.inode() == 0 ? List.of() : owners.get(socket.inode());
      sockets.add(found == null ? socket : socket.withOwners(found));
    }
    return new SocketListing(listing.source(), sockets);
  }
}
