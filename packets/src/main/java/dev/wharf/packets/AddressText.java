package dev.wharf.packets;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses as text the way {@code inet_ntop} (and so ping and tcpdump) writes them: IPv4 in dotted
 * quads, IPv6 in RFC 5952's canonical form ({@code ::1}, not the JDK's {@code 0:0:0:0:0:0:0:1}).
 * The same rules as dev.wharf.inspect's (package-private) Ipv6Text. Any thread.
 */
public final class AddressText {
  private AddressText() {}

  /** The address without its scope or host name. */
  public static String of(InetAddress address) {
    return address instanceof Inet6Address
        ? ipv6(address.getAddress())
        : ipv4(address.getAddress());
  }

  /** Four bytes as a dotted quad. */
  public static String ipv4(byte[] address) {
    return (address[0] & 0xff)
        + "."
        + (address[1] & 0xff)
        + "."
        + (address[2] & 0xff)
        + "."
        + (address[3] & 0xff);
  }

  /** Sixteen bytes in RFC 5952's form. */
  public static String ipv6(byte[] address) {
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    // RFC 5952 §4.2.2, §4.2.3: the longest run of two or more zero groups (the first of equals)
    // becomes "::".
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
    // RFC 5952 §5 (and glibc's inet_ntop): ::ffff:a.b.c.d, and ::a.b.c.d for the old compatible
    // form.
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
