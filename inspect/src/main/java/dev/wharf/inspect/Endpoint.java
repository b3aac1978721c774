package dev.wharf.inspect;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One end of a socket: an Internet address and port, or a Unix-domain name and socket inode. {@link
 * #text} prints it as {@code ss -n} does. Immutable; any thread.
 */
public sealed interface Endpoint {

  /**
   * This end as {@code ss -n} prints it: {@code 127.0.0.1:80}, {@code [::1]:*}, {@code *:80} (a
   * dual-stack wildcard), {@code @name 42}.
   */
  String text();

  /**
   * An Internet end: {@code port} 0 is printed {@code *}, as {@code ss} does, and IPv6 addresses go
   * in brackets. {@code dualStack} marks the IPv6 wildcard {@code ::} of a socket that takes IPv4
   * too (not {@code IPV6_V6ONLY}), which ss prints {@code *}; it is false for any other address.
   */
  record Inet(InetAddress address, int port, boolean dualStack) implements Endpoint {
    public Inet {
      dualStack = dualStack && address instanceof Inet6Address && address.isAnyLocalAddress();
    }

    /** An end not known to be dual-stack (IPv4, a specific address, or from /proc/net). */
    public Inet(InetAddress address, int port) {
      this(address, port, false);
    }

    /** The address as ss prints it, without brackets or port ({@code ::1}, {@code 0.0.0.0}). */
    public String host() {
      return address instanceof Inet6Address
          ? dev.wharf.core.Addresses.ipv6(address.getAddress())
          : address.getHostAddress();
    }

    @Override
    public String text() {
      String host = dualStack ? "*" : address instanceof Inet6Address ? "[" + host() + "]" : host();
      return host + ":" + (port == 0 ? "*" : Integer.toString(port));
    }
  }

  /**
   * A Unix-domain end: its {@code name} (a path, {@code @} and the rest for an abstract name, or
   * empty when unnamed) and the inode of that socket (0 when not known, as for an unconnected
   * peer).
   */
  record Unix(String name, long inode) implements Endpoint {
    @Override
    public String text() {
      return (name.isEmpty() ? "*" : name) + " " + inode;
    }
  }
}
