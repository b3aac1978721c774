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
    List<String> hopByHop = List.of();
    boolean laterFragment = false;
    // RFC 8200 §4: a chain of extension headers, each naming the next.
    while (isExtension(next)) {
      if (!b.has(at, 8)) {
        layers.add(ipv6(b, offset, next, flowLabel, extensions, remaining, hopByHop));
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
      if (next == HOP_BY_HOP && extensions.isEmpty() && b.has(at, length)) {
        hopByHop = hopByHopOptions(b, at + 2, at + length);
      }
      extensions.add(next);
      next = b.u8(at);
      at += length;
      remaining -= length;
      if (remaining < 0) {
        layers.add(ipv6(b, offset, next, flowLabel, extensions, 0, hopByHop));
        layers.add(new Layer.Problem("ip6", false, "extension headers beyond the payload"));
        return;
      }
    }
    layers.add(ipv6(b, offset, next, flowLabel, extensions, remaining, hopByHop));
    if (!laterFragment) {
      // RFC 8200 §8.1: the pseudo-header is the addresses, the upper-layer length and protocol.
      long pseudo = extensions.contains(FRAGMENT) ? -1 : b.sum(offset + 8, 32, next + remaining);
      Transport.decode(b, at, next, remaining, true, pseudo, layers);
    }
  }

  private static Layer.Ipv6 ipv6(
      Bytes b,
      int offset,
      int next,
      int flowLabel,
      List<Integer> extensions,
      int remaining,
      List<String> hopByHop) {
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
        b.u16(offset + 4),
        hopByHop);
  }

  // RFC 8200 §4.2, RFC 2711: the option types print-ip6opt.c words.
  private static final int PAD1 = 0x00;
  private static final int PADN = 0x01;
  private static final int ROUTER_ALERT = 0x05;
  private static final int JUMBO = 0xc2;
  private static final int HOME_ADDRESS = 0xc9;

  /**
   * The options between {@code from} and {@code to} of a hop-by-hop header, in print-ip6opt.c's -v
   * words; empty where one is cut short, malformed, or a jumbo payload or home address (not worded
   * here yet).
   */
  private static List<String> hopByHopOptions(Bytes b, int from, int to) {
    var options = new ArrayList<String>();
    for (int at = from; at < to; ) {
      int type = b.u8(at);
      if (type == PAD1) {
        options.add("(pad1)");
        at++;
        continue;
      }
      if (at + 1 >= to || at + 2 + b.u8(at + 1) > to) {
        return List.of(); // tcpdump's trunc: not worded here
      }
      int length = b.u8(at + 1);
      switch (type) {
        case PADN -> options.add("(padn)");
        case ROUTER_ALERT -> {
          if (length != 2) {
            return List.of(); // "(rtalert: invalid len N)" and the trunc mark: not worded here
          }
          options.add(String.format("(rtalert: 0x%04x) ", b.u16(at + 2)));
        }
        case JUMBO, HOME_ADDRESS -> {
          return List.of();
        }
        default -> options.add(String.format("(opt_type 0x%02x: len=%d)", type, length));
      }
      at += 2 + length;
    }
    return options;
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
