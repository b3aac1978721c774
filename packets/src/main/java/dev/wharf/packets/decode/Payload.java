package dev.wharf.packets.decode;

import java.util.Optional;

/**
 * Where a packet's UDP or TCP payload lies in its captured bytes, and how much of it was captured:
 * what a {@link PayloadText} is given, for text and for JSON alike.
 */
record Payload(int offset, int length) {
  /** The payload {@code transport} carries in {@code data}; empty for a fragment or none at all. */
  static Optional<Payload> of(DecodedPacket packet, byte[] data, Layer transport) {
    int offset = TcpdumpText.payloadOffset(packet);
    int length =
        switch (transport) {
          case Layer.Udp udp -> udp.payloadLength();
          case Layer.Tcp tcp -> tcp.payloadLength();
          default -> 0;
        };
    if (offset < 0 || length <= 0 || offset >= data.length) {
      return Optional.empty();
    }
    return Optional.of(new Payload(offset, Math.min(length, data.length - offset)));
  }
}
