package dev.wharf.packets;

import dev.wharf.packets.internal.Libpcap;
import dev.wharf.packets.pcap.CapturedPacket;

/**
 * tcpdump filter expressions, compiled by the system's libpcap into classic BPF and run on packets
 * read from files. Any thread.
 */
public final class Filters {
  private Filters() {}

  /**
   * The classic BPF program (8-byte instructions) of {@code expression} for {@code linkType}.
   *
   * @throws IllegalArgumentException with libpcap's words for a bad expression
   * @throws PacketSocketException where libpcap is missing
   */
  public static byte[] compile(int linkType, int snapLength, String expression)
      throws PacketSocketException {
    return Libpcap.get().compile(linkType, snapLength, expression);
  }

  /** True when {@code program} keeps {@code packet}. */
  public static boolean matches(byte[] program, CapturedPacket packet)
      throws PacketSocketException {
    return Libpcap.get().matches(program, packet.data(), packet.wireLength());
  }
}
