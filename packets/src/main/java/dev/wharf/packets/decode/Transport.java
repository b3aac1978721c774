package dev.wharf.packets.decode;

import java.util.ArrayList;
import java.util.List;

/** TCP, UDP, ICMP and ICMPv6 headers. Stateless. */
final class Transport {
  static final int ICMP = 1;
  static final int TCP = 6;
  static final int UDP = 17;
  static final int ICMPV6 = 58;

  private Transport() {}

  /**
   * Decodes what {@code protocol} names at {@code offset}, {@code length} bytes by the IP header.
   *
   * @param pseudoSum the pseudo-header's sum for checksums, -1 where there is none (a fragment)
   */
  static void decode(
      Bytes b,
      int offset,
      int protocol,
      int length,
      boolean v6,
      long pseudoSum,
      List<Layer> layers) {
    switch (protocol) {
      case TCP -> tcp(b, offset, length, pseudoSum, layers);
      case UDP -> udp(b, offset, pseudoSum, layers);
      case ICMP -> icmp(b, offset, length, false, pseudoSum < 0 ? -1 : 0, layers);
      case ICMPV6 -> icmp(b, offset, length, true, pseudoSum, layers);
      default -> {
        // Another protocol: the IP layer names it.
      }
    }
  }

  /** What the checksum at {@code checksumAt} should be, -1 where it cannot be told. */
  private static int expected(Bytes b, int offset, int length, long pseudoSum, int checksumAt) {
    return pseudoSum < 0 || !b.has(offset, length)
        ? -1
        : b.expectedChecksum(offset, length, pseudoSum, checksumAt);
  }

  private static void tcp(Bytes b, int offset, int length, long pseudoSum, List<Layer> layers) {
    if (!b.has(offset, 20)) {
      layers.add(PacketDecoder.truncated("tcp"));
      return;
    }
    int headerLength = (b.u8(offset + 12) >> 4) * 4;
    if (headerLength < 20 || headerLength > length) {
      layers.add(new Layer.Problem("tcp", false, "bad header length " + headerLength));
      return;
    }
    var options = new ArrayList<String>();
    if (!b.has(offset, headerLength)) {
      options.add("truncated");
    } else {
      options(b, offset + 20, offset + headerLength, options);
    }
    layers.add(
        new Layer.Tcp(
            b.u16(offset),
            b.u16(offset + 2),
            b.u32(offset + 4),
            b.u32(offset + 8),
            b.u8(offset + 13),
            b.u16(offset + 14),
            b.u16(offset + 18),
            options,
            length - headerLength,
            b.u16(offset + 16),
            expected(b, offset, length, pseudoSum, offset + 16)));
  }

  /** RFC 9293 §3.1 options, in tcpdump's words (print-tcp.c). */
  private static void options(Bytes b, int at, int end, List<String> options) {
    while (at < end) {
      int kind = b.u8(at);
      if (kind == 0) {
        options.add("eol");
        return;
      }
      if (kind == 1) {
        options.add("nop");
        at++;
        continue;
      }
      if (at + 1 >= end) {
        options.add("bad opt");
        return;
      }
      int length = b.u8(at + 1);
      if (length < 2 || at + length > end) {
        options.add("bad opt");
        return;
      }
      options.add(
          switch (kind) {
            case 2 -> length == 4 ? "mss " + b.u16(at + 2) : "mss [bad length]";
            case 3 -> length == 3 ? "wscale " + b.u8(at + 2) : "wscale [bad length]";
            case 4 -> "sackOK";
            case 5 -> sack(b, at, length);
            case 8 ->
                length == 10
                    ? "TS val " + b.u32(at + 2) + " ecr " + b.u32(at + 6)
                    : "TS [bad length]";
            default -> "unknown-" + kind;
          });
      at += length;
    }
  }

  private static String sack(Bytes b, int at, int length) {
    int blocks = (length - 2) / 8;
    var text = new StringBuilder("sack ").append(blocks).append(' ');
    for (int i = 0; i < blocks; i++) {
      int block = at + 2 + i * 8;
      text.append('{').append(b.u32(block)).append(':').append(b.u32(block + 4)).append('}');
    }
    return text.toString();
  }

  private static void udp(Bytes b, int offset, long pseudoSum, List<Layer> layers) {
    if (!b.has(offset, 8)) {
      layers.add(PacketDecoder.truncated("udp"));
      return;
    }
    int length = b.u16(offset + 4);
    if (length < 8) {
      layers.add(new Layer.Problem("udp", false, "bad length " + length));
      return;
    }
    layers.add(
        new Layer.Udp(
            b.u16(offset),
            b.u16(offset + 2),
            length - 8,
            b.u16(offset + 6),
            expected(b, offset, length, pseudoSum, offset + 6)));
  }

  private static void icmp(
      Bytes b, int offset, int length, boolean v6, long pseudoSum, List<Layer> layers) {
    if (!b.has(offset, 4)) {
      layers.add(PacketDecoder.truncated(v6 ? "icmp6" : "icmp"));
      return;
    }
    int type = b.u8(offset);
    int code = b.u8(offset + 1);
    boolean echo = v6 ? type == 128 || type == 129 : type == 0 || type == 8;
    int identifier = -1;
    int sequence = -1;
    String target = null;
    if (echo && b.has(offset, 8)) {
      identifier = b.u16(offset + 4);
      sequence = b.u16(offset + 6);
    }
    // RFC 4861 §4.3, §4.4: neighbour solicitations and advertisements name their target.
    if (v6 && (type == 135 || type == 136) && b.has(offset + 8, 16)) {
      target = b.ipv6(offset + 8);
    }
    // RFC 4443 §3.1: a port unreachable quotes the offending packet, its IPv6 header first.
    if (v6 && type == 1 && code == 4 && b.has(offset + 8, 40)) {
      target = b.ipv6(offset + 8 + 24);
      int quoted = b.u8(offset + 8 + 6);
      if ((quoted == UDP || quoted == TCP) && b.has(offset + 48, 4)) {
        target += (quoted == UDP ? " udp" : " tcp") + " port " + b.u16(offset + 48 + 2);
      }
    }
    // RFC 792: unreachable and time exceeded quote the offending datagram's header after 8 bytes.
    if (!v6 && (type == 3 || type == 11) && b.has(offset + 8, 20)) {
      target = b.ipv4(offset + 8 + 16);
      int quotedHeader = (b.u8(offset + 8) & 0x0f) * 4;
      if (type == 3 && code == 3 && b.has(offset + 8 + quotedHeader, 4)) {
        String proto =
            b.u8(offset + 8 + 9) == UDP ? "udp" : b.u8(offset + 8 + 9) == TCP ? "tcp" : "proto";
        target += " " + proto + " port " + b.u16(offset + 8 + quotedHeader + 2);
      }
    }
    // RFC 4443 §2.3 (a pseudo-header, as UDP's) and RFC 792 (the message only).
    int expected = expected(b, offset, length, pseudoSum, offset + 2);
    layers.add(
        new Layer.Icmp(
            v6, type, code, identifier, sequence, target, length, b.u16(offset + 2), expected));
  }
}
