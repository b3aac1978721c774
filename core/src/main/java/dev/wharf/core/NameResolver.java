package dev.wharf.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a host name into the addresses to try, as OkHttp's {@code Dns}: {@link #SYSTEM} asks the
 * system's resolver; a test or a tool may answer from elsewhere ({@link Client.Builder#resolver}).
 *
 * <p>Called by {@link Client} on a virtual thread of its own, so it may block; it must be
 * thread-safe.
 */
@FunctionalInterface
public interface NameResolver {
  /**
   * All addresses of the system's resolver, in its order (its preference between IPv4 and IPv6).
   */
  NameResolver SYSTEM =
      (host, port) -> {
        InetAddress[] all;
        try {
          all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
          var explained = new UnknownHostException("cannot resolve host name: " + host);
          explained.initCause(e);
          throw explained;
        }
        return Arrays.stream(all).map(a -> new InetSocketAddress(a, port)).toList();
      };

  /** The addresses of {@code host} at {@code port}, in the order to try them; never empty. */
  List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException;
}
