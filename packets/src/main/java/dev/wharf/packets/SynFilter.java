package dev.wharf.packets;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The classic BPF program of {@link SynProber}'s filter, {@code (tcp and src host TARGET and dst
 * port PORT) or (icmp and dst host SOURCE)}, for IPv4 over Ethernet (loopback included), built here
 * instruction by instruction as libpcap's optimizer compiles it: a probe then needs neither
 * libpcap's loading nor its compiler (a third of a one-port scan's start). Other link types and
 * IPv6 are left to libpcap. Stateless; any thread.
 */
final class SynFilter {
  private static final int INSTRUCTION = 8;
  // <linux/filter.h>
  private static final int LD_H_ABS = 0x28;
  private static final int LD_B_ABS = 0x30;
  private static final int LD_W_ABS = 0x20;
  private static final int LD_H_IND = 0x48;
  private static final int LDX_B_MSH = 0xb1;
  private static final int JEQ_K = 0x15;
  private static final int JSET_K = 0x45;
  private static final int RET_K = 0x06;
  // The frame: a 14-byte Ethernet header, then IPv4 (RFC 791 §3.1).
  private static final int ETHER_TYPE = 12;
  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int IP = 14;
  private static final int IP_PROTOCOL = IP + 9;
  private static final int IP_FRAGMENT = IP + 6;
  private static final int IP_SOURCE = IP + 12;
  private static final int IP_DESTINATION = IP + 16;
  private static final int TCP = 6;
  private static final int ICMP = 1;

  private SynFilter() {}

  /**
   * The program for frames of link type Ethernet ({@code LINKTYPE_ETHERNET}: Ethernet and loopback
   * devices), keeping up to {@code snapLength} bytes; empty where {@code target} is not IPv4.
   */
  static Optional<byte[]> ethernet(
      InetAddress target, InetAddress source, int port, int snapLength) {
    if (!(target instanceof Inet4Address) || !(source instanceof Inet4Address)) {
      return Optional.empty();
    }
    ByteBuffer code = ByteBuffer.allocate(16 * INSTRUCTION).order(ByteOrder.nativeOrder());
    // Jumps count the instructions skipped after the next one: "to 14" below is where they land.
    put(code, LD_H_ABS, 0, 0, ETHER_TYPE); // 0
    put(code, JEQ_K, 0, 13, ETHERTYPE_IPV4); // 1: not IPv4: to 15
    put(code, LD_B_ABS, 0, 0, IP_PROTOCOL); // 2
    put(code, JEQ_K, 0, 7, TCP); // 3: not TCP: to 11 (ICMP?)
    put(code, LD_W_ABS, 0, 0, IP_SOURCE); // 4
    put(code, JEQ_K, 0, 9, address(target)); // 5: not from the target: to 15
    put(code, LD_H_ABS, 0, 0, IP_FRAGMENT); // 6
    put(code, JSET_K, 7, 0, 0x1fff); // 7: a later fragment has no TCP header: to 15
    put(code, LDX_B_MSH, 0, 0, IP); // 8: X = the IP header's length (4 * IHL)
    put(code, LD_H_IND, 0, 0, IP + 2); // 9: the TCP destination port
    put(code, JEQ_K, 3, 4, port); // 10: the probes' port: to 14, else 15
    put(code, JEQ_K, 0, 3, ICMP); // 11: not ICMP: to 15
    put(code, LD_W_ABS, 0, 0, IP_DESTINATION); // 12
    put(code, JEQ_K, 0, 1, address(source)); // 13: to this host: 14, else 15
    put(code, RET_K, 0, 0, snapLength); // 14: keep
    put(code, RET_K, 0, 0, 0); // 15: drop
    return Optional.of(code.array());
  }

  /** The address as the program's 32-bit loads read it: in network order. */
  private static int address(InetAddress address) {
    return ByteBuffer.wrap(address.getAddress()).getInt();
  }

  private static void put(ByteBuffer code, int op, int jt, int jf, int k) {
    code.putShort((short) op).put((byte) jt).put((byte) jf).putInt(k);
  }
}
