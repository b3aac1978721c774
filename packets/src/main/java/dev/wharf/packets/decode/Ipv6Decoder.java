package dev.wharf.packets.decode;

import java.util.ArrayList;
import java.util.List;

/** IPv6 (RFC 8200) with its extension headers, and what it carries. Stateless. */
final class Ipv6Decoder {
  static final int HOP_BY_HOP = 0;
  static final int ROUTING = 43;
  static final int FRAGMENT = 44;
  static final int AUTHENTICATION = 51;
  static final int DESTINATION_OPTIONS = 60;

  private Ipv6Decoder() {}

  static void decode(Bytes b, int offset, List<Layer> layers) {
    if (!b.has(offset, 40)) {
      layers.add(PacketDecoder.truncated("ip6"));
      return;
    }
    if (b.u8(offset) >> 4 != 6) {
      layers.add(new Layer.Problem("ip6", false, "version " + (b.u8(offset) >> 4)));
      return;
    }
    int flowLabel = (int) (b.u32(offset) & 0xfffff);
    int remaining = b.u16(offset + 4);
    int next = b.u8(offset + 6);
    int at = offset + 40;
    var extensions = new ArrayList<Integer>();
    boolean laterFragment = false;
    // RFC 8200 §4: a chain of extension headers, each naming the next.
    while (isExtension(next)) {
      if (!b.has(at, 8)) {
        layers.add(ipv6(b, offset, next, flowLabel, extensions, remaining));
        layers.add(PacketDecoder.truncated(extensionName(next)));
        return;
      }
      int length =
          switch (next) {
            case FRAGMENT -> 8;
            case AUTHENTICATION -> (b.u8(at + 1) + 2) * 4; // RFC 4302 §2.2
            default -> (b.u8(at + 1) + 1) * 8;
          };
      if (next == FRAGMENT && (b.u16(at + 2) & 0xfff8) != 0) {
        laterFragment = true;
      }
      extensions.add(next);
      next = b.u8(at);
      at += length;
      remaining -= length;
      if (remaining < 0) {
        layers.add(ipv6(b, offset, next, flowLabel, extensions, 0));
        layers.add(new Layer.Problem("ip6", false, "extension headers beyond the payload"));
        return;
      }
    }
    layers.add(ipv6(b, offset, next, flowLabel, extensions, remaining));
    if (!laterFragment) {
      // RFC 8200 §8.1: the pseudo-header is the addresses, the upper-layer length and protocol.
      long pseudo = extensions.contains(FRAGMENT) ? -1 : b.sum(offset + 8, 32, next + remaining);
      Transport.decode(b, at, next, remaining, true, pseudo, layers);
    }
  }

  private static Layer.Ipv6 ipv6(
      Bytes b, int offset, int next, int flowLabel, List<Integer> extensions, int remaining) {
    return new Layer.Ipv6(
        b.ipv6(offset + 8),
        b.ipv6(offset + 24),
        next,
        b.u8(offset + 7),
        flowLabel,
        extensions,
        remaining,
        (int) (b.u32(offset) >>> 20) & 0xff,
        b.u8(offset + 6),
        b.u16(offset + 4));
  }

  /** The names tcpdump's printers give the extension headers (their ndo_protocol). */
  private static String extensionName(int next) {
    return switch (next) {
      case HOP_BY_HOP -> "hbhopt";
      case ROUTING -> "rt6";
      case FRAGMENT -> "frag6";
      case AUTHENTICATION -> "ah";
      default -> "dstopt";
    };
  }

  private static boolean isExtension(int next) {
    return next == HOP_BY_HOP
        || next == ROUTING
        || next == FRAGMENT
        || next == AUTHENTICATION
        || next == DESTINATION_OPTIONS;
  }
}
