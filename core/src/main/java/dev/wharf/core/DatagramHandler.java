package dev.wharf.core;

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

  /** The endpoint closed. */
  default void closed(DatagramEndpoint endpoint) {}
}
