package dev.wharf.packets;

import java.util.Optional;

/**
 * ICMP and ICMPv6 echo messages (RFC 792, RFC 4443 §4) made and read, and the errors that quote
 * them. A codec: no I/O, no clock. Reads never throw: what is short or not ours is empty.
 */
final class EchoMessages {
  static final int ECHO_REQUEST_V4 = 8;
  static final int ECHO_REPLY_V4 = 0;
  static final int ECHO_REQUEST_V6 = 128;
  static final int ECHO_REPLY_V6 = 129;
  static final int HEADER = 8;

  private EchoMessages() {}

  /** What a received message says about our echo: its kind, identifier and sequence. */
  record Parsed(boolean reply, int identifier, int sequence, int icmpLength, String error) {}

  /**
   * An echo request with iputils' payload: a {@code struct timeval} of the sending time in its
   * first 16 bytes where there is room, then the bytes 0x10, 0x11, ... (each the low byte of its
   * offset). The checksum is computed for ICMPv4; the kernel computes ICMPv6's (RFC 3542 §3.1).
   */
  static byte[] request(boolean v6, int identifier, int sequence, int payload, long epochMicros) {
    byte[] message = new byte[HEADER + payload];
    message[0] = (byte) (v6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4);
    putShort(message, 4, identifier);
    putShort(message, 6, sequence);
    for (int i = 0; i < payload; i++) {
      message[HEADER + i] = (byte) i;
    }
    if (payload >= 16) {
      // struct timeval { long tv_sec; long tv_usec; } in the host's (little-endian) order.
      putLongLittle(message, HEADER, epochMicros / 1_000_000);
      putLongLittle(message, HEADER + 8, epochMicros % 1_000_000);
    }
    if (!v6) {
      putShort(message, 2, checksum(message));
    }
    return message;
  }

  /**
   * Reads a message as a socket returned it: with its IPv4 header from a raw IPv4 socket ({@code
   * withIpHeader}), the bare ICMP message otherwise.
   */
  static Optional<Parsed> parse(byte[] data, boolean v6, boolean withIpHeader) {
    int start = 0;
    if (withIpHeader) {
      if (data.length < 20) {
        return Optional.empty();
      }
      start = (data[0] & 0x0f) * 4;
    }
    if (data.length < start + HEADER) {
      return Optional.empty();
    }
    int type = data[start] & 0xff;
    int code = data[start + 1] & 0xff;
    int length = data.length - start;
    if (type == (v6 ? ECHO_REPLY_V6 : ECHO_REPLY_V4)) {
      return Optional.of(
          new Parsed(true, getShort(data, start + 4), getShort(data, start + 6), length, null));
    }
    // pr_icmph's info: the second word (a need-frag's or packet too big's MTU), as iputils takes it
    // from a raw socket's message.
    long info = data.length < start + 8 ? 0 : getInt(data, start + 4);
    String error = v6 ? errorV6(type, code, info) : errorV4(type, code, info);
    if (error == null) {
      return Optional.empty();
    }
    // The error quotes the offending packet's IP header and at least 8 bytes after it (RFC 792,
    // RFC 4443 §2.4 (c)): our echo request's header, with its identifier and sequence.
    int quoted = start + HEADER;
    int inner;
    if (v6) {
      inner = quoted + 40;
      if (data.length < quoted + 40 || (data[quoted + 6] & 0xff) != 58) {
        return Optional.empty();
      }
    } else {
      if (data.length < quoted + 20 || (data[quoted + 9] & 0xff) != 1) {
        return Optional.empty();
      }
      inner = quoted + (data[quoted] & 0x0f) * 4;
    }
    if (data.length < inner + HEADER
        || (data[inner] & 0xff) != (v6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4)) {
      return Optional.empty();
    }
    return Optional.of(
        new Parsed(false, getShort(data, inner + 4), getShort(data, inner + 6), length, error));
  }

  /**
   * iputils' words for ICMPv4 errors (ping4_common pr_icmph), null for other types; {@code info} is
   * the MTU of a need-frag (the kernel's ee_info, or the message's second word).
   */
  static String errorV4(int type, int code, long info) {
    return switch (type) {
      case 3 ->
          switch (code) {
            case 0 -> "Destination Net Unreachable";
            case 1 -> "Destination Host Unreachable";
            case 2 -> "Destination Protocol Unreachable";
            case 3 -> "Destination Port Unreachable";
            case 4 -> "Frag needed and DF set (mtu = " + info + ")";
            case 5 -> "Source Route Failed";
            case 6 -> "Destination Net Unknown";
            case 7 -> "Destination Host Unknown";
            case 8 -> "Source Host Isolated";
            case 9 -> "Destination Net Prohibited";
            case 10 -> "Destination Host Prohibited";
            case 11 -> "Destination Net Unreachable for Type of Service";
            case 12 -> "Destination Host Unreachable for Type of Service";
            case 13 ->
                "Packet filtered"; // what nftables' "reject with icmp admin-prohibited" sends
            case 14 -> "Precedence Violation";
            case 15 -> "Precedence Cutoff";
            default -> "Dest Unreachable, Bad Code: " + code;
          };
      case 11 ->
          switch (code) {
            case 0 -> "Time to live exceeded";
            case 1 -> "Frag reassembly time exceeded";
            default -> "Time exceeded, Bad Code: " + code;
          };
      default -> null;
    };
  }

  /**
   * iputils' words for ICMPv6 errors (ping6_common pr_icmph), null for other types; {@code info} is
   * a packet too big's MTU.
   */
  static String errorV6(int type, int code, long info) {
    return switch (type) {
      case 1 ->
          "Destination unreachable: "
              + switch (code) {
                case 0 -> "No route";
                case 1 -> "Administratively prohibited";
                case 2 -> "Beyond scope of source address";
                case 3 -> "Address unreachable";
                case 4 -> "Port unreachable";
                case 5 -> "Source address failed ingress/egress policy";
                case 6 -> "Reject route to destination";
                default -> "Unknown code " + code;
              };
      case 2 -> "Packet too big: mtu=" + info + (code != 0 ? ", code=" + code : "");
      case 3 ->
          "Time exceeded: "
              + switch (code) {
                case 0 -> "Hop limit";
                case 1 -> "Defragmentation failure";
                default -> "code " + code;
              };
      default -> null;
    };
  }

  /** The Internet checksum (RFC 1071) of a message whose checksum field is zero. */
  static int checksum(byte[] data) {
    long sum = 0;
    for (int i = 0; i + 1 < data.length; i += 2) {
      sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
    }
    if ((data.length & 1) != 0) {
      sum += (data[data.length - 1] & 0xff) << 8;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (int) (~sum & 0xffff);
  }

  private static long getInt(byte[] data, int offset) {
    return ((long) getShort(data, offset) << 16) | getShort(data, offset + 2);
  }

  private static int getShort(byte[] data, int offset) {
    return ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
  }

  private static void putShort(byte[] data, int offset, int value) {
    data[offset] = (byte) (value >>> 8);
    data[offset + 1] = (byte) value;
  }

  private static void putLongLittle(byte[] data, int offset, long value) {
    for (int i = 0; i < 8; i++) {
      data[offset + i] = (byte) (value >>> (8 * i));
    }
  }
}
