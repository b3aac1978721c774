/**
 * Packet decoders, one layer at a time, as tcpdump reads them: link layers (Ethernet with VLAN
 * tags, Linux cooked SLL and SLL2), ARP, IPv4, IPv6 with its extension headers, ICMP, ICMPv6, TCP
 * and UDP ({@link dev.wharf.packets.decode.PacketDecoder}), and tcpdump's one-line text ({@link
 * dev.wharf.packets.decode.TcpdumpText}). A codec: no I/O, no threads, no clock. Decoding never
 * throws: a short or inconsistent packet ends with a {@link dev.wharf.packets.decode.Layer.Problem}
 * layer that says what was wrong.
 */
package dev.wharf.packets.decode;
