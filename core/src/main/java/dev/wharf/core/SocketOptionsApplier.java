package dev.wharf.core;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import jdk.net.ExtendedSocketOptions;

/** Applies {@link SocketOptions} to a channel, skipping what its kind of socket lacks. */
final class SocketOptionsApplier {
  private static final System.Logger LOG = LazyLogger.of(SocketOptionsApplier.class);

  private SocketOptionsApplier() {}

  /** Options that must be set before bind or listen (listening and datagram sockets). */
  static void beforeBind(NetworkChannel channel, SocketOptions options) throws IOException {
    set(channel, StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
    if (options.reusePort()) {
      if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
        throw new IOException("SO_REUSEPORT is not supported on this platform");
      }
      set(channel, StandardSocketOptions.SO_REUSEPORT, true);
    }
    // Set on the listener so accepted sockets inherit it and the window scale is right at SYN.
    if (options.receiveBufferSize().isPresent()) {
      set(channel, StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize().getAsInt());
    }
  }

  /** Options for a connected (or connecting) stream socket. */
  static void onStream(NetworkChannel channel, SocketOptions options) throws IOException {
    if (options.tcpNoDelay().isPresent()) {
      set(channel, StandardSocketOptions.TCP_NODELAY, options.tcpNoDelay().get());
    }
    if (options.keepAlive().isPresent()) {
      var keepAlive = options.keepAlive().get();
      set(channel, StandardSocketOptions.SO_KEEPALIVE, true);
      set(channel, ExtendedSocketOptions.TCP_KEEPIDLE, (int) keepAlive.idle().toSeconds());
      set(channel, ExtendedSocketOptions.TCP_KEEPINTERVAL, (int) keepAlive.interval().toSeconds());
      set(channel, ExtendedSocketOptions.TCP_KEEPCOUNT, keepAlive.count());
    }
    if (options.receiveBufferSize().isPresent()) {
      set(channel, StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize().getAsInt());
    }
    if (options.sendBufferSize().isPresent()) {
      set(channel, StandardSocketOptions.SO_SNDBUF, options.sendBufferSize().getAsInt());
    }
    if (options.linger().isPresent()) {
      set(channel, StandardSocketOptions.SO_LINGER, (int) options.linger().get().toSeconds());
    }
    if (options.ipTos().isPresent()) {
      set(channel, StandardSocketOptions.IP_TOS, options.ipTos().getAsInt());
    }
  }

  /** Options for a datagram socket, after {@link #beforeBind}. */
  static void onDatagram(NetworkChannel channel, SocketOptions options) throws IOException {
    if (options.sendBufferSize().isPresent()) {
      set(channel, StandardSocketOptions.SO_SNDBUF, options.sendBufferSize().getAsInt());
    }
    if (options.ipTos().isPresent()) {
      set(channel, StandardSocketOptions.IP_TOS, options.ipTos().getAsInt());
    }
  }

  private static <T> void set(NetworkChannel channel, SocketOption<T> option, T value)
      throws IOException {
    if (channel.supportedOptions().contains(option)) {
      channel.setOption(option, value);
    } else {
      LOG.log(Level.DEBUG, () -> option.name() + " is not supported here; skipped");
    }
  }
}
