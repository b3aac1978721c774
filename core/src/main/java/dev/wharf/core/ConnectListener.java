package dev.wharf.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * What happens while a {@link Client} opens one connection, as OkHttp's {@code EventListener}: the
 * host name resolved, each address tried, the transport connected. A tool tells it ({@code wharf ws
 * -v}), a client times it ({@code wharf get -w}). Each method does nothing by default.
 *
 * <p>Called on the resolving virtual thread and then on the connection's event loop, one at a time
 * and in order; must not block.
 */
public interface ConnectListener {
  /** Listens to nothing. */
  ConnectListener NONE = new ConnectListener() {};

  /** The name is about to be resolved (not called when the caller gave addresses). */
  default void resolveStarted(String host) {}

  /** The name resolved to these addresses, in the order they will be tried. */
  default void resolved(String host, List<InetSocketAddress> addresses) {}

  /** Connecting to one address begins. */
  default void connectStarted(SocketAddress address) {}

  /** Connecting to one address failed; the next is tried, if any. */
  default void connectFailed(SocketAddress address, IOException error) {}

  /**
   * The transport is connected, before any {@linkplain Client.Layer layer} (TLS) is ready: the
   * connect completes once it is.
   */
  default void connected(SocketAddress local, SocketAddress remote) {}
}
