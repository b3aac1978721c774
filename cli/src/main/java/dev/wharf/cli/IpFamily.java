package dev.wharf.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Which address family a user asked for with {@code -4} or {@code -6}, or either. */
public enum IpFamily {
  ANY,
  IPV4,
  IPV6;

  boolean accepts(InetAddress address) {
    return switch (this) {
      case ANY -> true;
      case IPV4 -> address instanceof Inet4Address;
      case IPV6 -> address instanceof Inet6Address;
    };
  }

  /** The wildcard address a listener binds to when no host is given. */
  public String wildcard() {
    // 0.0.0.0 on the JDK's dual-stack socket accepts IPv4 and IPv6 alike.
    return this == IPV6 ? "::" : "0.0.0.0";
  }

  /** For messages: "IPv4", "IPv6" or "any". */
  String label() {
    return switch (this) {
      case ANY -> "any";
      case IPV4 -> "IPv4";
      case IPV6 -> "IPv6";
    };
  }
}
