package dev.wharf.core;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives the datagrams of a {@link DatagramEndpoint}. Called on the endpoint's loop, one at a
 * time; an exception is logged and the endpoint carries on.
 */
@FunctionalInterface
public interface DatagramHandler {

  /** A datagram arrived from {@code sender}. The buffer is lent for the duration of the call. */
  void received(DatagramEndpoint endpoint, ByteBuffer data, SocketAddress sender);

  /**
   * The network refused datagrams sent to {@code peer}: an ICMP error (port or host unreachable)
   * for an earlier datagram, which the kernel reports on a connected endpoint's next send or
   * receive. UDP promises nothing, so the endpoint carries on; a client that expected answers
   * learns here that none will come (ncat says "Connection refused"). By default ignored.
   */
  default void unreachable(DatagramEndpoint endpoint, SocketAddress peer, IOException error) {}

  /** The endpoint closed. */
  default void closed(DatagramEndpoint endpoint) {}
}
