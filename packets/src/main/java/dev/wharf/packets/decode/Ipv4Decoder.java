package dev.wharf.packets.decode;

import java.util.List;

/** IPv4 (RFC 791) and what it carries. Stateless. */
final class Ipv4Decoder {
  private Ipv4Decoder() {}

  static void decode(Bytes b, int offset, List<Layer> layers) {
    if (!b.has(offset, 20)) {
      layers.add(PacketDecoder.truncated("ip"));
      return;
    }
    int version = b.u8(offset) >> 4;
    int headerLength = (b.u8(offset) & 0x0f) * 4;
    int totalLength = b.u16(offset + 2);
    if (version != 4 || headerLength < 20 || totalLength < headerLength) {
      layers.add(
          new Layer.Problem(
              "ip",
              false,
              "version " + version + ", header " + headerLength + ", total " + totalLength));
      return;
    }
    int flagsAndOffset = b.u16(offset + 6);
    int expected =
        b.has(offset, headerLength) ? b.expectedChecksum(offset, headerLength, 0, offset + 10) : -1;
    var ip =
        new Layer.Ipv4(
            b.ipv4(offset + 12),
            b.ipv4(offset + 16),
            b.u8(offset + 9),
            b.u8(offset + 8),
            b.u16(offset + 4),
            (flagsAndOffset & 0x4000) != 0,
            (flagsAndOffset & 0x2000) != 0,
            (flagsAndOffset & 0x1fff) * 8,
            headerLength,
            totalLength - headerLength,
            b.u8(offset + 1),
            totalLength,
            b.u16(offset + 10),
            expected,
            b.has(offset, headerLength)
                ? Ipv4Options.decode(b, offset + 20, headerLength - 20)
                : List.of());
    layers.add(ip);
    if (!b.has(offset, headerLength)) {
      layers.add(PacketDecoder.truncated("ip options"));
      return;
    }
    if (ip.fragmentOffset() > 0) {
      return; // A later fragment: its transport header is in the first one.
    }
    // RFC 9293 §3.1, RFC 768: the pseudo-header is the addresses, the protocol and the length.
    long pseudo =
        ip.moreFragments() ? -1 : b.sum(offset + 12, 8, ip.protocol() + (long) ip.payloadLength());
    Transport.decode(
        b, offset + headerLength, ip.protocol(), ip.payloadLength(), false, pseudo, layers);
  }
}
