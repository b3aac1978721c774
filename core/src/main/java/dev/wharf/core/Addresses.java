package dev.wharf.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

/**
 * Addresses as people write them: {@code ::1} rather than the JDK's {@code 0:0:0:0:0:0:0:1}, and
 * {@code [::1]:80} with a port, as in URLs. Pure functions; any thread.
 */
public final class Addresses {
  private Addresses() {}

  /** An address literal, IPv6 in its compressed form (RFC 5952). */
  public static String host(InetAddress address) {
    String text = address.getHostAddress();
    return address instanceof Inet6Address ? compactIpv6(text) : text;
  }

  /**
   * A socket address: {@code 127.0.0.1:80}, {@code [::1]:80} (RFC 3986 §3.2.2 brackets), an
   * unresolved name with its port, or a Unix socket's path.
   */
  public static String format(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      String host = inet.getAddress() == null ? inet.getHostString() : host(inet.getAddress());
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }

  /**
   * The JDK's {@code 0:0:0:0:0:0:0:1} as people write it, {@code ::1}: the longest run of zero
   * groups becomes {@code ::} (RFC 5952 §4.2).
   */
  public static String compactIpv6(String address) {
    int scope = address.indexOf('%');
    String suffix = scope < 0 ? "" : address.substring(scope);
    String[] groups = (scope < 0 ? address : address.substring(0, scope)).split(":");
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened.
    for (int i = 0; i < groups.length; i++) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
    }
    if (bestStart < 0) {
      return address;
    }
    String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
    String tail =
        String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    return head + "::" + tail + suffix;
  }
}
