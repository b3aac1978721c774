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
            totalLength - headerLength);
    layers.add(ip);
    if (!b.has(offset, headerLength)) {
      layers.add(PacketDecoder.truncated("ip options"));
      return;
    }
    if (ip.fragmentOffset() > 0) {
      return; // A later fragment: its transport header is in the first one.
    }
    Transport.decode(b, offset + headerLength, ip.protocol(), ip.payloadLength(), false, layers);
  }
}
