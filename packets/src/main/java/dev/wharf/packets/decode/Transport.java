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
    // print-tcp.c: the addresses alone where the ports were not captured, the ports too where the
    // rest of the fixed header was not.
    if (!b.has(offset, 20)) {
      if (b.has(offset, 4)) {
        layers.add(new Layer.Ports(b.u16(offset), b.u16(offset + 2)));
      }
      layers.add(PacketDecoder.truncated("tcp"));
      return;
    }
    int headerLength = (b.u8(offset + 12) >> 4) * 4;
    if (headerLength < 20 || headerLength > length) {
      layers.add(new Layer.Problem("tcp", false, "bad header length " + headerLength));
      return;
    }
    var options = new ArrayList<String>();
    Layer.Tcp.OptionsEnd end = options(b, offset + 20, offset + headerLength, options);
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
            end,
            length - headerLength,
            b.u16(offset + 16),
            expected(b, offset, length, pseudoSum, offset + 16)));
    if (end == Layer.Tcp.OptionsEnd.CUT_BETWEEN || end == Layer.Tcp.OptionsEnd.CUT_INSIDE) {
      layers.add(PacketDecoder.truncated("tcp"));
    }
  }

  /**
   * RFC 9293 §3.1 options, in tcpdump's words (print-tcp.c), as far as the capture has them: an
   * option's kind and length bytes are read (and the length checked against the header) before its
   * data is found missing, as tcpdump reads them.
   *
   * <p>print-tcp.c reads each known option's data by the size it expects ({@code datalen}), not by
   * its length byte: an option whose length disagrees gets "[len N]" after its words and the next
   * option is read where the expected data ends; one whose expected data runs past the header is
   * "[bad opt]" after its name, and so is a length byte below 2 or past the header. Options after a
   * bad one are not read.
   */
  private static Layer.Tcp.OptionsEnd options(Bytes b, int at, int end, List<String> options) {
    while (at < end) {
      if (!b.has(at, 1)) {
        return Layer.Tcp.OptionsEnd.CUT_BETWEEN;
      }
      int kind = b.u8(at);
      if (kind == 0) {
        options.add("eol");
        return Layer.Tcp.OptionsEnd.WHOLE;
      }
      if (kind == 1) {
        options.add("nop");
        at++;
        continue;
      }
      if (!b.has(at + 1, 1)) {
        return Layer.Tcp.OptionsEnd.CUT_BETWEEN;
      }
      int length = b.u8(at + 1);
      if (length < 2 || at + length > end) {
        options.add("[bad opt]");
        return Layer.Tcp.OptionsEnd.BAD;
      }
      int data = at + 2;
      int dataLength = dataLength(kind, length);
      // print-tcp.c's LENCHECK: the data it means to read must lie within the header...
      if (data + dataLength > end || kind == EXPERIMENT && dataLength < 2) {
        options.add(optionName(kind) + "[bad opt]");
        return Layer.Tcp.OptionsEnd.BAD;
      }
      // ...and within the capture.
      if (!b.has(data, dataLength)) {
        options.add(cutOption(b, at, kind, length));
        return Layer.Tcp.OptionsEnd.CUT_INSIDE;
      }
      String words = optionName(kind) + optionData(b, kind, data, dataLength);
      options.add(dataLength + 2 == length ? words : words + "[len " + length + "]");
      at = data + dataLength;
    }
    return Layer.Tcp.OptionsEnd.WHOLE;
  }

  private static final int SIGNATURE = 19; // RFC 2385 TCP MD5
  private static final int EXPERIMENT = 254; // RFC 6994

  /** How many data bytes print-tcp.c reads of option {@code kind}, {@code length} bytes long. */
  private static int dataLength(int kind, int length) {
    return switch (kind) {
      case 2, 20, 28 -> 2; // mss, scps, uto
      case 3 -> 1; // wscale
      case 4 -> 0; // sackOK
      case 6, 7, 11, 12, 13 -> 4; // echo, echoreply, cc, ccnew, ccecho (RFC 1072, RFC 1644)
      case 8 -> 8; // TS
      case SIGNATURE -> 16;
      default -> length - 2; // sack, tcp-ao, mptcp, tfo, exp and the unknown ones: all of it
    };
  }

  /** print-tcp.c's tcp_option_values (tcpdump 4.99.3 names ccecho ""). */
  private static String optionName(int kind) {
    return switch (kind) {
      case 2 -> "mss";
      case 3 -> "wscale";
      case 4 -> "sackOK";
      case 5 -> "sack";
      case 6 -> "echo";
      case 7 -> "echoreply";
      case 8 -> "TS";
      case 11 -> "cc";
      case 12 -> "ccnew";
      case 13 -> "";
      case SIGNATURE -> "md5";
      case 20 -> "scps";
      case 28 -> "uto";
      case 29 -> "tcp-ao";
      case 30 -> "mptcp";
      case 34 -> "tfo";
      case EXPERIMENT -> "exp";
      default -> "unknown-" + kind;
    };
  }

  /**
   * What print-tcp.c prints after an option's name, its {@code length} data bytes at {@code at}.
   */
  private static String optionData(Bytes b, int kind, int at, int length) {
    return switch (kind) {
      case 2 -> " " + b.u16(at);
      case 3 -> " " + b.u8(at);
      case 5 -> length % 8 != 0 ? " invalid sack" : sack(b, at - 2, length + 2).substring(4);
      case 6, 7, 11, 12, 13 -> " " + b.u32(at);
      case 8 -> " val " + b.u32(at) + " ecr " + b.u32(at + 4);
      // Debian's tcpdump is built with libcrypto and checks the signature only with -M.
      case SIGNATURE -> " shared secret not supplied with -M, can't check - " + hex(b, at, length);
      case 20 -> String.format(" cap %02x id %d", b.u8(at), b.u8(at + 1));
      case 28 -> {
        // RFC 5482 §3: the low bit says minutes, else seconds.
        int value = b.u16(at);
        yield String.format(" 0x%x %d", value, (value & 1) != 0 ? (value >> 1) * 60 : value >> 1);
      }
      case 29 ->
          length < 2
              ? " (invalid)"
              : " keyid "
                  + b.u8(at)
                  + " rnextkeyid "
                  + b.u8(at + 1)
                  + (length > 2 ? " mac 0x" + hex(b, at + 2, length - 2) : "");
      case 34 -> " " + fastOpen(b, at, length);
      case EXPERIMENT ->
          b.u16(at) == 0xf989
              ? "-tfo" + fastOpen(b, at + 2, length - 2)
              : String.format("-%04x", b.u16(at));
      // Unknown kinds, and MPTCP (print-mptcp.c's words are not followed here): the data in hex.
      default -> length == 0 ? "" : " 0x" + hex(b, at, length);
    };
  }

  /** print-tcp.c's print_tcp_fastopen_option (RFC 7413 §4.1.1): a request, a cookie or invalid. */
  private static String fastOpen(Bytes b, int at, int length) {
    if (length == 0) {
      return " cookiereq";
    }
    return length % 2 != 0 || length < 4 || length > 16
        ? " (invalid)"
        : " cookie " + hex(b, at, length);
  }

  private static String hex(Bytes b, int at, int length) {
    var text = new StringBuilder(length * 2);
    for (int i = 0; i < length; i++) {
      text.append(String.format("%02x", b.u8(at + i)));
    }
    return text.toString();
  }

  /** What print-tcp.c prints of an option whose data the capture cut: its name, SACK's blocks. */
  private static String cutOption(Bytes b, int at, int kind, int length) {
    return switch (kind) {
      case 5 -> {
        // "sack N " (N the blocks the length says), then each block whose 8 bytes were captured.
        var text = new StringBuilder("sack ").append((length - 2) / 8).append(' ');
        for (int block = at + 2; block + 8 <= at + length && b.has(block, 8); block += 8) {
          text.append('{').append(b.u32(block)).append(':').append(b.u32(block + 4)).append('}');
        }
        yield text.toString();
      }
      case 2, 3, 4, 6, 7, 8, 11, 12, 13, SIGNATURE, 20, 28, 29, 34, EXPERIMENT -> optionName(kind);
      default -> {
        // print-tcp.c checks each byte of an unknown option's data as it prints it.
        var text = new StringBuilder(optionName(kind)).append(length > 2 ? " 0x" : "");
        for (int i = at + 2; i < at + length && b.has(i, 1); i++) {
          text.append(String.format("%02x", b.u8(i)));
        }
        yield text.toString();
      }
    };
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
      // print-udp.c, as print-tcp.c: the ports where they were captured.
      if (b.has(offset, 4)) {
        layers.add(new Layer.Ports(b.u16(offset), b.u16(offset + 2)));
      }
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

  /**
   * How many bytes of an ICMP unreachable's quoted datagram print-icmp.c reads: its IPv4 header to
   * the destination address (every code names it); for a port unreachable, also the quoted
   * transport header to its destination port (an offset that needs the quoted header's length
   * byte).
   */
  private static int icmpUnreachableQuote(Bytes b, int offset, int code) {
    if (code != 3) {
      return 20;
    }
    return b.has(offset + 8, 1) ? Math.max(20, (b.u8(offset + 8) & 0x0f) * 4 + 4) : 20;
  }

  /**
   * How many bytes of an ICMPv6 message print-icmp6.c reads before it has printed all it prints:
   * the type, the identifier and sequence of an echo, the quoted packet's addresses (and port) of
   * an error, the MTU or pointer of a packet too big or parameter problem, a target, a report's
   * count.
   */
  private static int icmp6Reads(int type, int code) {
    return switch (type) {
      case 1 ->
          switch (code) {
            case 0, 1, 2, 3 -> 8 + 40; // RFC 4443 §3.1: the quoted IPv6 header, to its destination
            case 4 -> 8 + 40 + 4; // and the quoted transport header's ports
            default -> 4;
          };
      case 2 -> 8; // RFC 4443 §3.2: the MTU
      case 3 -> code == 0 ? 8 + 40 : 4;
      case 4 -> 8 + 40; // print-icmp6.c checks the quoted destination before it prints the pointer
      case 128, 129, MLDV2_REPORT -> 8;
      case 135, 136 -> 8 + 16; // RFC 4861 §4.3, §4.4: the target
      default -> 4;
    };
  }

  private static void icmp(
      Bytes b, int offset, int length, boolean v6, long pseudoSum, List<Layer> layers) {
    if (!b.has(offset, v6 ? 1 : 4)) {
      layers.add(PacketDecoder.truncated(v6 ? "icmp6" : "icmp"));
      return;
    }
    int type = b.u8(offset);
    int code = b.has(offset + 1, 1) ? b.u8(offset + 1) : -1;
    boolean echo = v6 ? type == 128 || type == 129 : type == 0 || type == 8;
    int identifier = -1;
    int sequence = -1;
    int parameter = -1;
    String target = null;
    if (v6 && !b.has(offset, icmp6Reads(type, code))) {
      // print-icmp6.c names the type from its first byte, then reads what it prints next (the
      // code, the identifier and sequence, the quoted packet's address and port), as far as the
      // capture has it: the words so far, then the truncated mark.
      layers.add(new Layer.Icmp(true, type, code, -1, -1, null, length, -1, -1));
      layers.add(PacketDecoder.truncated("icmp6"));
      return;
    }
    if (echo && !b.has(offset, 8)) {
      // print-icmp.c reads the identifier and sequence number before it prints a word.
      layers.add(PacketDecoder.truncated("icmp"));
      return;
    }
    if (!v6 && type == 3 && !b.has(offset + 8, icmpUnreachableQuote(b, offset, code))) {
      // print-icmp.c names the quoted datagram's destination (and port) in an unreachable.
      layers.add(PacketDecoder.truncated("icmp"));
      return;
    }
    if (echo) {
      identifier = b.u16(offset + 4);
      sequence = b.u16(offset + 6);
    }
    if (v6) {
      target = icmp6Target(b, offset, type, code);
      if (type == 2 || type == 4) {
        parameter = (int) b.u32(offset + 4); // RFC 4443 §3.2 MTU, §3.4 pointer
      }
    } else if ((type == 3 || type == 11) && b.has(offset + 8, 20)) {
      // RFC 792: unreachable and time exceeded quote the offending datagram's header after 8 bytes.
      target = b.ipv4(offset + 8 + 16);
      int quotedHeader = (b.u8(offset + 8) & 0x0f) * 4;
      int quotedProtocol = b.u8(offset + 8 + 9);
      if (type == 3 && code == 2) {
        target += " protocol " + quotedProtocol;
      }
      if (type == 3 && code == 3 && b.has(offset + 8 + quotedHeader, 4)) {
        int port = b.u16(offset + 8 + quotedHeader + 2);
        target +=
            switch (quotedProtocol) {
              case UDP -> " udp port " + port;
              case TCP -> " tcp port " + port;
              default -> " protocol " + quotedProtocol + " port " + port;
            };
      }
      if (type == 3 && code == 4) {
        parameter = b.u16(offset + 6); // RFC 1191 §4: the next-hop MTU, 0 from old routers
      }
    }
    // RFC 4443 §2.3 (a pseudo-header, as UDP's) and RFC 792 (the message only).
    int expected = expected(b, offset, length, pseudoSum, offset + 2);
    layers.add(
        new Layer.Icmp(
            v6,
            type,
            code,
            identifier,
            sequence,
            target,
            length,
            b.u16(offset + 2),
            expected,
            parameter,
            v6 && type == MLDV2_REPORT ? multicastReport(b, offset, length) : null));
  }

  /**
   * What print-icmp6.c names of an ICMPv6 message: a neighbour message's target (RFC 4861 §4.3,
   * §4.4); an error's quoted destination (RFC 4443 §3.1, §3.3), with the port of a port
   * unreachable, or the source of a beyond-scope one after a space.
   */
  private static String icmp6Target(Bytes b, int offset, int type, int code) {
    if (type == 135 || type == 136) {
      return b.ipv6(offset + 8);
    }
    boolean quotes = type == 1 && code >= 0 && code <= 4 || type == 3 && code == 0;
    if (!quotes) {
      return null;
    }
    String destination = b.ipv6(offset + 8 + 24);
    if (type == 1 && code == 2) {
      return destination + " " + b.ipv6(offset + 8 + 8);
    }
    if (type == 1 && code == 4) {
      int quoted = b.u8(offset + 8 + 6);
      int port = b.u16(offset + 48 + 2);
      return destination
          + switch (quoted) {
            case UDP -> " udp port " + port;
            case TCP -> " tcp port " + port;
            default -> " protocol " + quoted + " port " + port;
          };
    }
    return destination;
  }

  static final int MLDV2_REPORT = 143;

  /**
   * RFC 3810 §5.2: the group records of the MLDv2 report at {@code offset}, {@code length} bytes
   * long, read as print-icmp6.c's mldv2_report_print reads them: against the message's length, up
   * to the first record or source list it cannot hold. Records are read only where the capture
   * holds the whole message (a cut one keeps its count alone).
   */
  private static Layer.MulticastReport multicastReport(Bytes b, int offset, int length) {
    int count = b.u16(offset + 6);
    var records = new ArrayList<Layer.GroupRecord>();
    if (!b.has(offset, length)) {
      return new Layer.MulticastReport(count, records, null);
    }
    int at = 8; // past type, code, checksum, reserved and the count
    for (int i = 0; i < count; i++) {
      // A record: type, auxiliary data length, number of sources, the group's address.
      if (length < at + 20) {
        return new Layer.MulticastReport(count, records, "invalid number of groups");
      }
      int sources = b.u16(offset + at + 2);
      if (length < at + 20 + sources * 16) {
        return new Layer.MulticastReport(count, records, "invalid number of sources " + sources);
      }
      var addresses = new ArrayList<String>();
      for (int s = 0; s < sources; s++) {
        addresses.add(b.ipv6(offset + at + 20 + s * 16));
      }
      String group = b.ipv6(offset + at + 4);
      records.add(new Layer.GroupRecord(recordType(b.u8(offset + at)), group, addresses));
      // print-icmp6.c steps over the sources only, not the auxiliary data (RFC 3810 §5.2.6 says
      // senders put none).
      at += 20 + sources * 16;
    }
    return new Layer.MulticastReport(count, records, null);
  }

  /** print-icmp6.c's mldv2report2str (RFC 3810 §5.2.12), its " [v2-report-#N]" for the rest. */
  private static String recordType(int type) {
    return switch (type) {
      case 1 -> "is_in";
      case 2 -> "is_ex";
      case 3 -> "to_in";
      case 4 -> "to_ex";
      case 5 -> "allow";
      case 6 -> "block";
      default -> " [v2-report-#" + type + "]";
    };
  }
}
