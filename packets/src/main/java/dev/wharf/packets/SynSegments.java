package dev.wharf.packets;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;

/**
 * The codec of a SYN scan: the TCP SYN segment a probe sends (with its checksum over the IPv4 or
 * IPv6 pseudo-header, for a raw socket whose kernel builds the IP header but not the TCP one), and
 * the answers read back from captured frames: SYN-ACK, RST, or an ICMP or ICMPv6 "destination
 * unreachable" that quotes a probe. No I/O, no clock. Any thread.
 */
final class SynSegments {
  static final int TCP_HEADER = 24; // 20 bytes and the MSS option, as nmap's probes carry
  private static final int FIN = 0x01;
  private static final int SYN = 0x02;
  private static final int RST = 0x04;
  private static final int ACK = 0x10;
  private static final int PROTOCOL_TCP = 6;
  private static final int PROTOCOL_ICMP = 1;
  private static final int PROTOCOL_ICMPV6 = 58;
  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86dd;
  private static final int ETHERTYPE_VLAN = 0x8100;

  private SynSegments() {}

  /**
   * One probe's TCP segment: SYN, window 1024, MSS 1460 (nmap's), checksummed for {@code source} to
   * {@code target}.
   */
  static byte[] syn(
      InetAddress source, InetAddress target, int sourcePort, int targetPort, int sequence) {
    byte[] tcp = new byte[TCP_HEADER];
    put16(tcp, 0, sourcePort);
    put16(tcp, 2, targetPort);
    put32(tcp, 4, sequence);
    tcp[12] = (byte) ((TCP_HEADER / 4) << 4); // data offset in 32-bit words
    tcp[13] = SYN;
    put16(tcp, 14, 1024);
    tcp[20] = 2; // RFC 9293 §3.2: kind 2, MSS, length 4
    tcp[21] = 4;
    put16(tcp, 22, 1460);
    put16(tcp, 16, checksum(source, target, tcp));
    return tcp;
  }

  /**
   * SYNs from one source address and port to one target, as {@link #syn} builds them, made from a
   * template: a probe copies it, writes its port and sequence number, and finishes the checksum
   * from the template's own sum (pseudo-header and fixed fields) and those two fields alone (RFC
   * 1071: the ones' complement sum is commutative), so that no probe allocates or sums the rest
   * again. Immutable; any thread.
   */
  static final class Template {
    private final byte[] fixed;
    private final long fixedSum;

    Template(InetAddress source, InetAddress target, int sourcePort) {
      fixed = syn(source, target, sourcePort, 0, 0);
      fixed[16] = 0;
      fixed[17] = 0;
      byte[] from = source.getAddress();
      byte[] to = target.getAddress();
      long sum = sum(from, from.length) + sum(to, to.length) + PROTOCOL_TCP + TCP_HEADER;
      fixedSum = sum + sum(fixed, fixed.length);
    }

    /**
     * Writes the SYN to {@code targetPort} with {@code sequence} into {@code into} at {@code at}.
     */
    void write(byte[] into, int at, int targetPort, int sequence) {
      System.arraycopy(fixed, 0, into, at, TCP_HEADER);
      put16(into, at + 2, targetPort);
      put32(into, at + 4, sequence);
      long sum = fixedSum + targetPort + (sequence >>> 16) + (sequence & 0xffff);
      while ((sum >>> 16) != 0) {
        sum = (sum & 0xffff) + (sum >>> 16);
      }
      put16(into, at + 16, (int) (~sum & 0xffff));
    }
  }

  /**
   * RFC 9293 §3.1 (IPv4) and RFC 8200 §8.1 (IPv6): the ones' complement sum of the pseudo-header
   * (addresses, protocol, TCP length) and the segment, with the checksum field read as zero.
   */
  static int checksum(InetAddress source, InetAddress target, byte[] tcp) {
    byte[] from = source.getAddress();
    byte[] to = target.getAddress();
    long sum = sum(from, from.length) + sum(to, to.length) + PROTOCOL_TCP + tcp.length;
    if (source instanceof Inet6Address) {
      sum += tcp.length >>> 16; // IPv6's upper-layer length is 32 bits
    }
    byte[] zeroed = Arrays.copyOf(tcp, tcp.length);
    zeroed[16] = 0;
    zeroed[17] = 0;
    sum += sum(zeroed, zeroed.length);
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  private static long sum(byte[] bytes, int length) {
    long sum = 0;
    for (int i = 0; i + 1 < length; i += 2) {
      sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
    }
    if ((length & 1) != 0) {
      sum += (bytes[length - 1] & 0xff) << 8;
    }
    return sum;
  }

  /**
   * What one frame says of a probe from {@code source}:{@code sourcePort} to {@code target}, or
   * empty when it is about something else or cut short. A SYN-ACK or RST counts only when it
   * acknowledges {@code sequenceOf(port) + 1}, as nmap checks, so that a stray segment to the same
   * port is not taken for an answer.
   *
   * @param linkType the frame's pcap link type: 1 (Ethernet), 113 (Linux SLL) or 101 (raw IP)
   */
  static Optional<SynAnswer> answer(
      byte[] frame,
      int linkType,
      InetAddress source,
      InetAddress target,
      int sourcePort,
      java.util.function.IntUnaryOperator sequenceOf) {
    int offset;
    int etherType;
    switch (linkType) {
      case 1 -> {
        if (frame.length < 14) {
          return Optional.empty();
        }
        etherType = get16(frame, 12);
        offset = 14;
        if (etherType == ETHERTYPE_VLAN && frame.length >= 18) {
          etherType = get16(frame, 16);
          offset = 18;
        }
      }
      case 113 -> {
        if (frame.length < 16) {
          return Optional.empty();
        }
        etherType = get16(frame, 14);
        offset = 16;
      }
      case 101 -> {
        if (frame.length < 1) {
          return Optional.empty();
        }
        etherType = (frame[0] & 0xf0) == 0x60 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
        offset = 0;
      }
      default -> {
        return Optional.empty();
      }
    }
    var packet = new Packet(frame, offset, source, target, sourcePort, sequenceOf);
    return switch (etherType) {
      case ETHERTYPE_IPV4 -> packet.ipv4();
      case ETHERTYPE_IPV6 -> packet.ipv6();
      default -> Optional.empty();
    };
  }

  /** One frame being read, with what an answer must match. */
  private record Packet(
      byte[] bytes,
      int ip,
      InetAddress source,
      InetAddress target,
      int sourcePort,
      java.util.function.IntUnaryOperator sequenceOf) {

    Optional<SynAnswer> ipv4() {
      if (bytes.length < ip + 20 || (bytes[ip] & 0xf0) != 0x40) {
        return Optional.empty();
      }
      int headerLength = (bytes[ip] & 0x0f) * 4;
      int protocol = bytes[ip + 9] & 0xff;
      int transport = ip + headerLength;
      if (protocol == PROTOCOL_TCP && sameAddress(ip + 12, 4, target)) {
        return tcp(transport);
      }
      if (protocol == PROTOCOL_ICMP && sameAddress(ip + 16, 4, source)) {
        // RFC 792: type 3 quotes the IP header and the first 8 bytes of what it is about.
        if (bytes.length < transport + 8 || (bytes[transport] & 0xff) != 3) {
          return Optional.empty();
        }
        int quoted = transport + 8;
        if (bytes.length < quoted + 20 || (bytes[quoted + 9] & 0xff) != PROTOCOL_TCP) {
          return Optional.empty();
        }
        if (!sameAddress(quoted + 16, 4, target)) {
          return Optional.empty();
        }
        int quotedTcp = quoted + (bytes[quoted] & 0x0f) * 4;
        return unreachable(quotedTcp, icmpReason(bytes[transport + 1] & 0xff));
      }
      return Optional.empty();
    }

    Optional<SynAnswer> ipv6() {
      if (bytes.length < ip + 40 || (bytes[ip] & 0xf0) != 0x60) {
        return Optional.empty();
      }
      int next = bytes[ip + 6] & 0xff;
      int transport = ip + 40;
      if (next == PROTOCOL_TCP && sameAddress(ip + 8, 16, target)) {
        return tcp(transport);
      }
      if (next == PROTOCOL_ICMPV6 && sameAddress(ip + 24, 16, source)) {
        // RFC 4443 §3.1: type 1 quotes as much of the packet as fits.
        if (bytes.length < transport + 8 || (bytes[transport] & 0xff) != 1) {
          return Optional.empty();
        }
        int quoted = transport + 8;
        if (bytes.length < quoted + 40 || (bytes[quoted + 6] & 0xff) != PROTOCOL_TCP) {
          return Optional.empty();
        }
        if (!sameAddress(quoted + 24, 16, target)) {
          return Optional.empty();
        }
        return unreachable(quoted + 40, icmp6Reason(bytes[transport + 1] & 0xff));
      }
      return Optional.empty();
    }

    private Optional<SynAnswer> tcp(int at) {
      if (bytes.length < at + 14 || get16(bytes, at + 2) != sourcePort) {
        return Optional.empty();
      }
      int port = get16(bytes, at);
      int flags = bytes[at + 13] & 0xff;
      if ((flags & ACK) == 0 || (flags & FIN) != 0) {
        return Optional.empty(); // our own SYN seen on loopback, or no answer to a SYN
      }
      int acknowledged = get32(bytes, at + 8);
      if (acknowledged != sequenceOf.applyAsInt(port) + 1) {
        return Optional.empty();
      }
      if ((flags & RST) != 0) {
        return Optional.of(new SynAnswer(port, SynAnswer.Kind.RESET, "reset"));
      }
      if ((flags & SYN) != 0) {
        return Optional.of(new SynAnswer(port, SynAnswer.Kind.SYN_ACK, "syn-ack"));
      }
      return Optional.empty();
    }

    private Optional<SynAnswer> unreachable(int quotedTcp, String reason) {
      if (bytes.length < quotedTcp + 8 || get16(bytes, quotedTcp) != sourcePort) {
        return Optional.empty();
      }
      int port = get16(bytes, quotedTcp + 2);
      if (get32(bytes, quotedTcp + 4) != sequenceOf.applyAsInt(port)) {
        return Optional.empty();
      }
      return Optional.of(new SynAnswer(port, SynAnswer.Kind.UNREACHABLE, reason));
    }

    private boolean sameAddress(int at, int length, InetAddress address) {
      byte[] expected = address.getAddress();
      return expected.length == length
          && Arrays.equals(bytes, at, at + length, expected, 0, length);
    }
  }

  /** nmap's reason names for ICMP destination unreachable codes (RFC 792, RFC 1812 §5.2.7.1). */
  private static String icmpReason(int code) {
    return switch (code) {
      case 0 -> "net-unreach";
      case 1 -> "host-unreach";
      case 2 -> "proto-unreach";
      case 3 -> "port-unreach";
      case 9, 10 -> "admin-prohibited"; // net and host "administratively prohibited"
      case 13 -> "admin-prohibited";
      default -> "unreach-" + code;
    };
  }

  /** The same for ICMPv6 destination unreachable codes (RFC 4443 §3.1). */
  private static String icmp6Reason(int code) {
    return switch (code) {
      case 0 -> "no-route";
      case 1 -> "admin-prohibited";
      case 3 -> "addr-unreach";
      case 4 -> "port-unreach";
      default -> "unreach-" + code;
    };
  }

  private static void put16(byte[] bytes, int at, int value) {
    bytes[at] = (byte) (value >>> 8);
    bytes[at + 1] = (byte) value;
  }

  private static void put32(byte[] bytes, int at, int value) {
    put16(bytes, at, value >>> 16);
    put16(bytes, at + 2, value);
  }

  private static int get16(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
  }

  private static int get32(byte[] bytes, int at) {
    return (get16(bytes, at) << 16) | get16(bytes, at + 2);
  }
}
