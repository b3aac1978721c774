package dev.wharf.core;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/** Turns the JDK's terse bind failures into messages a person can act on. */
final class BindErrors {
  private BindErrors() {}

  static IOException explain(Exception e, SocketAddress address) {
    String where = describe(address);
    String message =
        e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
    IOException explained;
    if (message.contains("in use")) {
      explained = new BindException("address already in use: " + where);
    } else if (message.contains("permission denied") || message.contains("access")) {
      explained =
          address instanceof InetSocketAddress inet && inet.getPort() > 0 && inet.getPort() < 1024
              ? new BindException(
                  "permission denied: ports below 1024 need privileges (" + where + ")")
              : new BindException("permission denied: " + where);
    } else if (message.contains("cannot assign") || message.contains("not available")) {
      explained = new BindException("address not available on this host: " + where);
    } else if (address instanceof UnixDomainSocketAddress unix
        && message.contains("no such file")) {
      // The JDK says "No such file or directory" without the path.
      explained =
          new BindException(
              "cannot listen on " + where + ": no such directory: " + unix.getPath().getParent());
    } else if (e instanceof IOException io) {
      return io;
    } else {
      explained = new IOException("cannot listen on " + where + ": " + e.getMessage());
    }
    explained.initCause(e);
    return explained;
  }

  static String describe(SocketAddress address) {
    if (address instanceof InetSocketAddress inet
        && inet.getAddress() != null
        && inet.getAddress().isAnyLocalAddress()) {
      return (inet.getAddress() instanceof java.net.Inet6Address ? "[::]" : "0.0.0.0")
          + ":"
          + inet.getPort();
    }
    return Addresses.format(address);
  }
}
