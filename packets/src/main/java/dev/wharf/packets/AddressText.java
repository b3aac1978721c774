package dev.wharf.packets;

import dev.wharf.core.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses as text the way {@code inet_ntop} (and so ping and tcpdump) writes them: IPv4 in dotted
 * quads, IPv6 in RFC 5952's canonical form ({@code ::1}, not the JDK's {@code 0:0:0:0:0:0:0:1}).
 * IPv6 is core's {@link Addresses#ipv6(byte[])}, the one formatter. Any thread.
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

  /** Sixteen bytes in RFC 5952's form: {@link Addresses#ipv6(byte[])}. */
  public static String ipv6(byte[] address) {
    return Addresses.ipv6(address);
  }
}
