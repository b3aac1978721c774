package dev.wharf.packets.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a captured packet layer by layer, from its pcap link type down to TCP, UDP, ICMP or ARP.
 * Never throws: each layer checks its length first, and where a packet ends early or says something
 * impossible, a {@link Layer.Problem} ends the list. Stateless; any thread.
 */
public final class PacketDecoder {
  /** pcap link types (tcpdump.org/linktypes.html). */
  public static final int LINKTYPE_ETHERNET = 1;

  public static final int LINKTYPE_RAW = 101;
  public static final int LINKTYPE_LINUX_SLL = 113;
  public static final int LINKTYPE_LINUX_SLL2 = 276;

  static final int ETHERTYPE_IPV4 = 0x0800;
  static final int ETHERTYPE_ARP = 0x0806;
  static final int ETHERTYPE_IPV6 = 0x86dd;
  static final int ETHERTYPE_VLAN = 0x8100;
  static final int ETHERTYPE_QINQ = 0x88a8;

  private PacketDecoder() {}

  /** The layers of {@code data}, captured with {@code linkType}, {@code wireLength} long. */
  public static DecodedPacket decode(int linkType, byte[] data, int wireLength) {
    var layers = new ArrayList<Layer>();
    var bytes = new Bytes(data);
    try {
      switch (linkType) {
        case LINKTYPE_ETHERNET -> ethernet(bytes, layers);
        case LINKTYPE_LINUX_SLL -> sll(bytes, layers);
        case LINKTYPE_LINUX_SLL2 -> sll2(bytes, layers);
        case LINKTYPE_RAW -> {
          int version = bytes.has(0, 1) ? bytes.u8(0) >> 4 : 0;
          network(bytes, 0, version == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, layers);
        }
        default -> layers.add(new Layer.Problem("link", false, "link type " + linkType));
      }
    } catch (IndexOutOfBoundsException e) {
      // A safety net: every read is checked first, so this is a decoder bug, kept from escaping.
      layers.add(new Layer.Problem("packet", false, "inconsistent lengths"));
    }
    return new DecodedPacket(layers, data.length, wireLength);
  }

  private static void ethernet(Bytes b, List<Layer> layers) {
    if (!b.has(0, 14)) {
      layers.add(truncated("ethernet"));
      return;
    }
    int offset = 12;
    int type = b.u16(offset);
    var vlans = new ArrayList<Integer>();
    var priorities = new ArrayList<Integer>();
    var dropEligible = new ArrayList<Boolean>();
    // IEEE 802.1Q: a tag is the TPID 0x8100 (0x88a8 outer, 802.1ad), then the TCI: 3 bits of
    // priority, the drop eligible bit, 12 bits of VLAN ID.
    while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && b.has(offset + 2, 4)) {
      int tci = b.u16(offset + 2);
      vlans.add(tci & 0x0fff);
      priorities.add(tci >>> 13);
      dropEligible.add((tci & 0x1000) != 0);
      offset += 4;
      type = b.u16(offset);
    }
    layers.add(new Layer.Ethernet(b.mac(6), b.mac(0), type, vlans, priorities, dropEligible));
    if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
      layers.add(truncated("vlan"));
      return;
    }
    network(b, offset + 2, type, layers);
  }

  private static void sll(Bytes b, List<Layer> layers) {
    if (!b.has(0, 16)) {
      layers.add(truncated("sll"));
      return;
    }
    int addressLength = Math.min(8, b.u16(4));
    layers.add(
        new Layer.LinuxCooked(b.u16(0), b.u16(2), address(b, 6, addressLength), b.u16(14), 0));
    network(b, 16, b.u16(14), layers);
  }

  private static void sll2(Bytes b, List<Layer> layers) {
    if (!b.has(0, 20)) {
      layers.add(truncated("sll2"));
      return;
    }
    int addressLength = Math.min(8, b.u8(11));
    layers.add(
        new Layer.LinuxCooked(
            b.u8(10), b.u16(8), address(b, 12, addressLength), b.u16(0), (int) b.u32(4)));
    network(b, 20, b.u16(0), layers);
  }

  private static String address(Bytes b, int offset, int length) {
    if (length == 6) {
      return b.mac(offset);
    }
    var text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.append(i == 0 ? "" : ":").append(String.format("%02x", b.u8(offset + i)));
    }
    return text.toString();
  }

  private static void network(Bytes b, int offset, int etherType, List<Layer> layers) {
    switch (etherType) {
      case ETHERTYPE_IPV4 -> Ipv4Decoder.decode(b, offset, layers);
      case ETHERTYPE_IPV6 -> Ipv6Decoder.decode(b, offset, layers);
      case ETHERTYPE_ARP -> arp(b, offset, layers);
      default -> {
        // Another protocol: the link layer says what it is; nothing more to decode.
      }
    }
  }

  /** RFC 826, for Ethernet (hardware type 1) and IPv4 (0x0800) only. */
  private static void arp(Bytes b, int offset, List<Layer> layers) {
    if (!b.has(offset, 8)) {
      layers.add(truncated("arp"));
      return;
    }
    int hardwareLength = b.u8(offset + 4);
    int protocolLength = b.u8(offset + 5);
    if (b.u16(offset) != 1 || b.u16(offset + 2) != ETHERTYPE_IPV4) {
      layers.add(new Layer.Problem("arp", false, "not Ethernet/IPv4"));
      return;
    }
    if (hardwareLength != 6 || protocolLength != 4) {
      layers.add(
          new Layer.Problem(
              "arp", false, "address lengths " + hardwareLength + "/" + protocolLength));
      return;
    }
    if (!b.has(offset, 28)) {
      layers.add(truncated("arp"));
      return;
    }
    layers.add(
        new Layer.Arp(
            b.u16(offset + 6),
            b.mac(offset + 8),
            b.ipv4(offset + 14),
            b.mac(offset + 18),
            b.ipv4(offset + 24)));
  }

  static Layer.Problem truncated(String layer) {
    return new Layer.Problem(layer, true, "truncated");
  }
}
