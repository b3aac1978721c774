package dev.wharf.cli.audit;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * From where a listening socket can be reached, judged from the address it is bound to. Immutable.
 *
 * <p>What the address alone says: a firewall, a socket bound to one interface ({@code
 * SO_BINDTODEVICE}) or a network namespace may narrow it further, which this does not see.
 */
enum Reach {
  /** The wildcard address ({@code 0.0.0.0}, {@code ::}): every network the host is on. */
  EVERYWHERE("every network this host is on", true),
  /** A link-local address ({@code 169.254.0.0/16}, {@code fe80::/10}): the link it is on. */
  LINK("the network link of %s", true),
  /** Any other address of the host: whoever can route packets to it. */
  ADDRESS("any network that can reach %s", true),
  /** A loopback address ({@code 127.0.0.0/8}, {@code ::1}): this host only. */
  LOCAL("this host only", false);

  private final String phrase;
  private final boolean outside;

  Reach(String phrase, boolean outside) {
    this.phrase = phrase;
    this.outside = outside;
  }

  /** Whether something outside this host can reach the socket. */
  boolean fromOutside() {
    return outside;
  }

  /** The end of the sentence: {@code is reachable from ...}, for a socket bound to {@code host}. */
  String phrase(String host) {
    return phrase.formatted(host);
  }

  /** The lower-case name used in JSON ({@code everywhere}, {@code link}, ...). */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The reach of a socket bound to {@code address}. */
  static Reach of(InetAddress address) {
    InetAddress plain = unmapped(address);
    if (plain.isAnyLocalAddress()) {
      return EVERYWHERE;
    }
    if (plain.isLoopbackAddress()) {
      return LOCAL;
    }
    if (plain.isLinkLocalAddress()) {
      return LINK;
    }
    return ADDRESS;
  }

  /**
   * An IPv4-mapped IPv6 address ({@code ::ffff:127.0.0.1}) as the IPv4 address it stands for, so
   * that a dual-stack socket bound to a mapped loopback counts as local. The JDK already returns
   * Inet4Address for those it parses; the kernel's 16 bytes may still come through as Inet6.
   */
  private static InetAddress unmapped(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] b = address.getAddress();
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return address;
      }
    }
    if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
      return address;
    }
    try {
      return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (java.net.UnknownHostException impossible) {
      throw new AssertionError(impossible);
    }
  }
}
