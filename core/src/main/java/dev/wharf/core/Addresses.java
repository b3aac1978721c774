package dev.wharf.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Addresses as people write them: {@code ::1} rather than the JDK's {@code 0:0:0:0:0:0:0:1}, and
 * {@code [::1]:80} with a port, as in URLs. Pure functions; any thread.
 */
public final class Addresses {
  private Addresses() {}

  /** An address literal, IPv6 as {@link #ipv6(byte[])} writes it, with its scope if it has one. */
  public static String host(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      String jdk = v6.getHostAddress();
      int scope = jdk.indexOf('%');
      return ipv6(v6.getAddress()) + (scope < 0 ? "" : jdk.substring(scope));
    }
    return address.getHostAddress();
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
   * The JDK's {@code 0:0:0:0:0:0:0:1} as people write it, {@code ::1} (see {@link #ipv6(byte[])});
   * text that is not an IPv6 literal is returned as it is.
   */
  public static String compactIpv6(String address) {
    int scope = address.indexOf('%');
    String literal = scope < 0 ? address : address.substring(0, scope);
    InetAddress parsed;
    try {
      parsed = Inet6Address.ofLiteral(literal);
    } catch (IllegalArgumentException notIpv6) {
      return address;
    }
    byte[] bytes = parsed.getAddress();
    if (bytes.length != 16) {
      return address; // an IPv4-mapped literal, which the JDK hands back as IPv4
    }
    return ipv6(bytes) + (scope < 0 ? "" : address.substring(scope));
  }

  /**
   * Sixteen bytes as {@code inet_ntop} writes them (and so ss, ping, tcpdump and dig): RFC 5952
   * §4's canonical form (lower case, no leading zeros, the longest run of two or more zero groups
   * as {@code ::}, the first of equal runs) and, as §5 and glibc, an IPv4 tail for IPv4-mapped
   * ({@code ::ffff:192.0.2.5}) and IPv4-compatible ({@code ::192.0.2.5}) addresses. The one IPv6
   * formatter of Wharf's modules.
   */
  public static String ipv6(byte[] address) {
    if (address.length != 16) {
      throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + address.length);
    }
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 0;
    for (int i = 0; i < 8; ) {
      if (words[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && words[i] == 0) {
        i++;
      }
      if (i - start > bestLength && i - start >= 2) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    boolean embedsIpv4 =
        bestStart == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff));
    var text = new StringBuilder(40);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (embedsIpv4 && i == 6) {
        if (text.charAt(text.length() - 1) != ':') {
          text.append(':');
        }
        text.append(address[12] & 0xff).append('.').append(address[13] & 0xff).append('.');
        text.append(address[14] & 0xff).append('.').append(address[15] & 0xff);
        break;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(words[i]));
    }
    return text.toString();
  }
}
