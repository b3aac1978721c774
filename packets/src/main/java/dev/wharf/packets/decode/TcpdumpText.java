package dev.wharf.packets.decode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Packets as tcpdump 4.99 prints them with {@code -n} (or, with {@link Names} that look names up,
 * without it) and without {@code -v} or {@code -e}, but the timestamp: {@code IP 10.0.0.1.41234 >
 * 10.0.0.2.8080: Flags [S], seq 0, win 64240, ..., length 0}. Remembers, as tcpdump does, the first
 * sequence numbers of each TCP connection it sees acknowledged, to print later ones relative to
 * them. Not thread-safe: one per capture.
 */
public final class TcpdumpText {
  /** The initial sequence numbers of a connection, keyed as tcpdump's tha (print-tcp.c). */
  private record Connection(String low, String high, int lowPort, int highPort) {}

  private static final class Initial {
    long seq;
    long ack;
  }

  private final Map<Connection, Initial> connections = new HashMap<>();
  private final boolean verbose;
  private final boolean linkLevel;
  private final PayloadText payloads;
  private final Names names;

  /** As tcpdump prints without -v. */
  public TcpdumpText() {
    this(false);
  }

  /** As tcpdump prints with {@code -v} where {@code verbose}. */
  public TcpdumpText(boolean verbose) {
    this(verbose, false);
  }

  /**
   * As tcpdump prints with {@code -v} where {@code verbose}: every IP header field, checksums
   * verified (TCP, UDP over IPv6, ICMPv6; IP and ICMP ones only named when wrong), ARP's address
   * sizes. Not yet: IP options, ICMP's quoted datagram, neighbour discovery's options. With {@code
   * linkLevel} (tcpdump's {@code -e}), an Ethernet frame's header first: "02:00:00:00:00:01 >
   * 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: ", and the protocol's name ("IP ") it
   * makes redundant left out; a Linux cooked header's direction, interface index, address and
   * protocol likewise; an 802.1Q tag's VLAN, priority and DEI (without -e, as tcpdump, no word of
   * the tags).
   */
  public TcpdumpText(boolean verbose, boolean linkLevel) {
    this(verbose, linkLevel, PayloadText.NONE);
  }

  /**
   * As above, with {@code payloads}' words for the application protocols it knows (tcpdump's DNS
   * and HTTP lines), given the packet's bytes ({@link #line(DecodedPacket, byte[])}).
   */
  public TcpdumpText(boolean verbose, boolean linkLevel, PayloadText payloads) {
    this(verbose, linkLevel, payloads, Names.NUMERIC);
  }

  /**
   * As above, hosts, ports and link-layer addresses written as {@code names} gives them: {@link
   * Names#NUMERIC} as tcpdump -n, or names as tcpdump without it ("localhost.http").
   */
  public TcpdumpText(boolean verbose, boolean linkLevel, PayloadText payloads, Names names) {
    this.verbose = verbose;
    this.linkLevel = linkLevel;
    this.payloads = payloads;
    this.names = names;
  }

  /** The line of {@code packet}, without its timestamp (more than one line with -v over IPv4). */
  public String line(DecodedPacket packet) {
    return line(packet, null);
  }

  /**
   * The line of {@code packet}, decoded from {@code data}, with the words of this text's {@link
   * PayloadText} for its UDP or TCP payload where it has some.
   */
  public String line(DecodedPacket packet, byte[] data) {
    var text = new StringBuilder();
    List<Layer> layers = packet.layers();
    int linkLength = 0;
    boolean typeShown = false; // -e printed the EtherType: "IP " and "ARP, " would repeat it
    if (linkLevel
        && !layers.isEmpty()
        && (layers.getFirst() instanceof Layer.Ipv4 || layers.getFirst() instanceof Layer.Ipv6)) {
      // print-raw.c with -e: a raw IP frame (no link layer) says "ip: ", and ip_print and
      // ip6_print then leave out their "IP "/"IP6 ", as after any link header -e printed.
      text.append("ip: ");
      typeShown = true;
    }
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      Layer next = i + 1 < layers.size() ? layers.get(i + 1) : null;
      switch (layer) {
        case Layer.Ethernet ethernet -> {
          linkLength = 14 + 4 * ethernet.vlanIds().size();
          if (linkLevel) {
            // print-ether.c: addresses, the outer EtherType and the frame's length.
            int outer =
                ethernet.vlanIds().isEmpty() ? ethernet.etherType() : PacketDecoder.ETHERTYPE_VLAN;
            text.append(names.mac(ethernet.source()))
                .append(" > ")
                .append(names.mac(ethernet.destination()));
            text.append(", ").append(etherType(outer, packet.wireLength())).append(": ");
            typeShown = true;
            if (!ethernet.vlanIds().isEmpty()) {
              // print-ether.c: each tag (ieee8021q_tci_string), then the inner EtherType. Without
              // -e tcpdump prints no word of the tags.
              for (int t = 0; t < ethernet.vlanIds().size(); t++) {
                text.append("vlan ").append(ethernet.vlanIds().get(t));
                text.append(", p ").append(ethernet.vlanPriorities().get(t));
                text.append(ethernet.vlanDropEligible().get(t) ? ", DEI, " : ", ");
              }
              String inner = etherType(ethernet.etherType(), 0);
              text.append(inner, 0, inner.indexOf(", length")).append(", ");
            }
            if (next == null) {
              continue;
            }
          }
          if (next == null) {
            text.append(etherType(ethernet.etherType(), packet.wireLength() - linkLength));
          }
        }
        case Layer.LinuxCooked cooked -> {
          linkLength = cooked.ifIndex() == 0 ? 16 : 20;
          if (cooked.ifIndex() != 0) {
            // print-sll.c: SLL2 names the interface (as this host knows the index) and direction.
            text.append(
                String.format("%-5s %-3s ", interfaceName(cooked.ifIndex()), direction(cooked)));
          }
          if (linkLevel) {
            // print-sll.c with -e: SLL's direction (SLL2 said it above, then its ifindex), the
            // sender's link address, the protocol and the frame's length.
            if (cooked.ifIndex() == 0) {
              text.append(String.format("%3s ", direction(cooked)));
            } else {
              text.append("ifindex ").append(cooked.ifIndex()).append(' ');
            }
            // A six-byte address is named as an Ethernet one (its OUI), as print-sll.c does;
            // print-sll.c
            // prints the address only when it is 6 bytes long (a tun device's has none, an ipip
            // tunnel's 4).
            String address = cooked.address();
            if (address.length() == 17) {
              text.append(names.mac(address)).append(' ');
            }
            text.append(etherType(cooked.protocol(), packet.wireLength())).append(": ");
            typeShown = true;
            if (next == null) {
              continue;
            }
          }
          if (next == null) {
            text.append(etherType(cooked.protocol(), packet.wireLength() - linkLength));
          }
        }
        case Layer.Arp arp -> {
          int length = packet.wireLength() - linkLength;
          if (!typeShown) {
            text.append("ARP, ");
          }
          text.append(verbose ? "Ethernet (len 6), IPv4 (len 4), " : "");
          text.append(
              switch (arp.operation()) {
                case 1 ->
                    "Request who-has "
                        + names.host(arp.targetIp())
                        + " tell "
                        + names.host(arp.senderIp());
                case 2 ->
                    "Reply " + names.host(arp.senderIp()) + " is-at " + names.mac(arp.senderMac());
                default -> "op " + arp.operation();
              });
          text.append(", length ").append(length);
        }
        case Layer.Ipv4 ip -> {
          text.append(typeShown ? "" : "IP ");
          if (verbose) {
            ipv4Fields(text, ip);
          }
          ip(
              text,
              ip.source(),
              ip.destination(),
              next,
              i + 2 < layers.size() ? layers.get(i + 2) : null);
          if (next == null) {
            // print-ip.c: a later fragment names its protocol only; another protocol, its length.
            if (ip.fragmentOffset() != 0) {
              text.append(names.ipProtocol(ip.protocol()));
            } else {
              otherProtocol(text, ip.protocol(), ip.payloadLength());
            }
          }
        }
        case Layer.Ipv6 ip -> {
          text.append(typeShown ? "" : "IP6 ");
          if (verbose) {
            ipv6Fields(text, ip);
          }
          ip(
              text,
              ip.source(),
              ip.destination(),
              next,
              i + 2 < layers.size() ? layers.get(i + 2) : null);
          if (ip.extensionHeaders().contains(0)) {
            text.append("HBH "); // print-ip6.c names the hop-by-hop header before what follows
            if (verbose && !ip.hopByHopOptions().isEmpty()) {
              // print-ip6opt.c's ip6_opt_process: each option's words, then a space.
              ip.hopByHopOptions().forEach(text::append);
              text.append(' ');
            }
          }
          if (next == null) {
            otherProtocol(text, ip.protocol(), ip.payloadLength());
          }
        }
        case Layer.Tcp tcp -> {
          tcp(text, packet, tcp);
          if (tcp.optionsEnd() == Layer.Tcp.OptionsEnd.WHOLE) {
            payloadWords(packet, data, tcp).ifPresent(words -> text.append(": ").append(words));
          }
        }
        case Layer.Ports ports -> {
          // ip() printed them with the addresses; the truncated mark follows.
        }
        case Layer.Udp udp -> {
          // print-udp.c checks IPv4's optional checksum only from -vv; IPv6's at -v.
          if (verbose && layers.get(i - 1) instanceof Layer.Ipv6) {
            checksumMark(text, "udp", udp.checksum(), udp.expectedChecksum());
          }
          text.append(payloadWords(packet, data, udp).orElse("UDP, length " + udp.payloadLength()));
        }
        case Layer.Icmp icmp when next instanceof Layer.Problem cut && cut.truncated() -> {
          // print-icmp6.c's words before it found the rest missing: the type, the code of a port
          // unreachable.
          text.append("ICMP6, ").append(icmp6Body(icmp).replaceFirst(",.*", ""));
          if (icmp.type() == 1 && icmp.code() >= 0) {
            text.append(", ").append(unreachable6(icmp.code()));
          }
        }
        case Layer.Icmp icmp -> {
          if (icmp.v6()) {
            if (verbose) {
              checksumMark(text, "icmp6", icmp.checksum(), icmp.expectedChecksum());
            }
            if (icmp.type() == 1 && icmp.code() > 4) {
              // print-icmp6.c, an unknown unreachable code: the message in hex, no length.
              text.append("ICMP6, ").append(icmp6Body(icmp));
              int at = icmpOffset(packet);
              if (data != null && at >= 0) {
                text.append(hex(data, at, Math.min(data.length, at + icmp.length())));
              }
            } else {
              text.append(icmp6(icmp, verbose));
            }
          } else {
            text.append(icmp4(icmp));
            if (verbose
                && icmp.expectedChecksum() >= 0
                && icmp.expectedChecksum() != icmp.checksum()) {
              text.append(
                  String.format(
                      " (wrong icmp cksum %x (->%x)!)", icmp.checksum(), icmp.expectedChecksum()));
            }
          }
        }
        case Layer.Problem problem -> {
          if (problem.truncated()
              && problem.layer().equals("ip")
              && i > 0
              && !typeShown
              && packet.capturedLength() > linkLength) {
            // print-ip.c prints "IP " before it finds the header short, if a byte of it came.
            text.append("IP ");
          }
          text.append(
              problem.truncated()
                  ? " [|" + problem.layer() + "]"
                  : " [malformed " + problem.layer() + ": " + problem.detail() + "]");
          // print-tcp.c's trunc label: a ">" where an option was printed whole before the cut one
          // (its "ch" was set), when the cut came inside an option's data (ND_TCHECK's goto, not a
          // GET_ macro's longjmp, which prints the mark alone).
          if (i > 0
              && layers.get(i - 1) instanceof Layer.Tcp tcp
              && tcp.optionsEnd() == Layer.Tcp.OptionsEnd.CUT_INSIDE
              && tcp.options().size() > 1) {
            text.append('>');
          }
        }
      }
    }
    return text.toString();
  }

  /**
   * print-ip.c's ip_demux_print for a protocol none of the decoders reads: IPv6's "no next header"
   * (RFC 8200 §4.7), else the protocol's name and the length, after a space of its own.
   */
  private void otherProtocol(StringBuilder text, int protocol, int length) {
    if (protocol == NO_NEXT_HEADER) {
      text.append("no next header");
    } else {
      text.append(' ').append(names.ipProtocol(protocol)).append(' ').append(length);
    }
  }

  private static final int NO_NEXT_HEADER = 59;

  /** The payload text's words for what {@code transport} carries, where they can be had. */
  private java.util.Optional<String> payloadWords(
      DecodedPacket packet, byte[] data, Layer transport) {
    if (data == null || payloads == PayloadText.NONE) {
      return java.util.Optional.empty();
    }
    return Payload.of(packet, data, transport)
        .flatMap(p -> payloads.describe(transport, data, p.offset(), p.length()));
  }

  /**
   * Where the UDP or TCP payload of {@code packet} starts in its bytes: past the link header, the
   * IP header (and IPv6's extension headers) and the transport's; -1 for a fragment or where a
   * layer is missing.
   */
  static int payloadOffset(DecodedPacket packet) {
    int at = linkHeaderLength(packet);
    int transportBytes = -1; // what follows the IP headers, as IP says
    for (Layer layer : packet.layers()) {
      switch (layer) {
        case Layer.Ipv4 ip -> {
          if (ip.fragmentOffset() != 0 || ip.moreFragments()) {
            return -1;
          }
          at += ip.headerLength();
          transportBytes = ip.payloadLength();
        }
        case Layer.Ipv6 ip -> {
          if (ip.extensionHeaders().contains(44)) {
            return -1; // a fragment header
          }
          at += 40 + ip.payloadLengthField() - ip.payloadLength();
          transportBytes = ip.payloadLength();
        }
        case Layer.Udp udp -> {
          return transportBytes < 0 ? -1 : at + 8;
        }
        case Layer.Tcp tcp -> {
          return transportBytes < 0 ? -1 : at + transportBytes - tcp.payloadLength();
        }
        default -> {
          // The link layer is counted above; nothing else comes before a transport.
        }
      }
    }
    return -1;
  }

  /** print-ip.c's -v header: "(tos 0x0, ttl 64, id 1, offset 0, flags [DF], ...)". */
  private static void ipv4Fields(StringBuilder text, Layer.Ipv4 ip) {
    text.append(String.format("(tos 0x%x", ip.tos()));
    switch (ip.tos() & 0x03) {
      case 1 -> text.append(",ECT(1)");
      case 2 -> text.append(",ECT(0)");
      case 3 -> text.append(",CE");
      default -> {
        // Not ECN-capable: nothing to say.
      }
    }
    if (ip.ttl() >= 1) {
      text.append(", ttl ").append(ip.ttl());
    }
    var flags = new StringBuilder();
    if (ip.moreFragments()) {
      flags.append('+');
    }
    if (ip.dontFragment()) {
      flags.append(flags.isEmpty() ? "" : ", ").append("DF");
    }
    text.append(", id ").append(ip.identification());
    text.append(", offset ").append(ip.fragmentOffset());
    text.append(", flags [").append(flags.isEmpty() ? "none" : flags).append(']');
    text.append(", proto ").append(protocolName(ip.protocol()));
    text.append(" (").append(ip.protocol()).append(')');
    text.append(", length ").append(ip.totalLength());
    if (!ip.options().isEmpty()) {
      text.append(", options (").append(String.join(",", ip.options())).append(')');
    }
    if (ip.expectedChecksum() >= 0 && ip.expectedChecksum() != ip.checksum()) {
      text.append(String.format(", bad cksum %x (->%x)!", ip.checksum(), ip.expectedChecksum()));
    }
    text.append(")\n    ");
  }

  /**
   * print-ip6.c's -v header: "(flowlabel 0x1, hlim 64, next-header TCP (6) payload length: 40) ".
   */
  private static void ipv6Fields(StringBuilder text, Layer.Ipv6 ip) {
    text.append('(');
    if (ip.trafficClass() != 0) {
      text.append(String.format("class 0x%02x, ", ip.trafficClass()));
    }
    if (ip.flowLabel() != 0) {
      text.append(String.format("flowlabel 0x%05x, ", ip.flowLabel()));
    }
    text.append("hlim ").append(ip.hopLimit());
    text.append(", next-header ").append(protocolName(ip.nextHeader()));
    text.append(" (").append(ip.nextHeader()).append(')');
    text.append(" payload length: ").append(ip.payloadLengthField()).append(") ");
  }

  /** "[udp sum ok] " or "[bad udp cksum 0x1234 -> 0x5678!] ", where it could be checked. */
  private static void checksumMark(StringBuilder text, String protocol, int sum, int expected) {
    if (expected < 0) {
      return;
    }
    if (sum == expected) {
      text.append('[').append(protocol).append(" sum ok] ");
    } else {
      text.append(String.format("[bad %s cksum 0x%04x -> 0x%04x!] ", protocol, sum, expected));
    }
  }

  /** tcpdump's ipproto.c names. */
  static String protocolName(int protocol) {
    return switch (protocol) {
      case 0 -> "Options";
      case 1 -> "ICMP";
      case 2 -> "IGMP";
      case 4 -> "IPIP";
      case 6 -> "TCP";
      case 17 -> "UDP";
      case 33 -> "DCCP";
      case 41 -> "IPv6";
      case 43 -> "Routing";
      case 44 -> "Fragment";
      case 46 -> "RSVP";
      case 47 -> "GRE";
      case 50 -> "ESP";
      case 51 -> "AH";
      case 58 -> "ICMPv6";
      case 89 -> "OSPF";
      case 103 -> "PIM";
      case 112 -> "VRRP";
      case 132 -> "SCTP";
      default -> "unknown";
    };
  }

  /**
   * tcpdump -X's dump of {@code data} from {@code from} (past the link header): lines of "\t0x0010:
   * " then eight groups of two bytes in hex, then the printable ASCII, '.' for the rest.
   */
  public static String hexAndAscii(byte[] data, int from) {
    var out = new StringBuilder();
    for (int line = from; line < data.length; line += 16) {
      var hex = new StringBuilder();
      var ascii = new StringBuilder();
      int end = Math.min(data.length, line + 16);
      for (int at = line; at < end; at++) {
        if ((at - line) % 2 == 0) {
          hex.append(' ');
        }
        int value = data[at] & 0xff;
        hex.append(String.format("%02x", value));
        ascii.append(value > 0x20 && value < 0x7f ? (char) value : '.');
      }
      out.append(String.format("\n\t0x%04x: %-40s  %s", line - from, hex, ascii));
    }
    return out.toString();
  }

  /** Where the ICMPv6 message of {@code packet} starts in its bytes, -1 where it cannot be told. */
  private static int icmpOffset(DecodedPacket packet) {
    int at = linkHeaderLength(packet);
    for (Layer layer : packet.layers()) {
      if (layer instanceof Layer.Ipv6 ip) {
        return at + 40 + ip.payloadLengthField() - ip.payloadLength();
      }
    }
    return -1;
  }

  /**
   * tcpdump's hex_print (print_unknown_data's): lines of "\n\t0x0000: " then 16 bytes in groups of
   * two, no ASCII.
   */
  private static String hex(byte[] data, int from, int to) {
    var out = new StringBuilder();
    for (int at = from; at < to; at++) {
      int i = at - from;
      if (i % 16 == 0) {
        out.append(String.format("\n\t0x%04x: ", i));
      }
      out.append(i % 2 == 0 ? " " : "").append(String.format("%02x", data[at] & 0xff));
    }
    return out.toString();
  }

  /** How long the link-layer header of {@code packet} is: what tcpdump -X leaves out. */
  public static int linkHeaderLength(DecodedPacket packet) {
    return switch (packet.layers().isEmpty() ? null : packet.layers().getFirst()) {
      case Layer.Ethernet ethernet -> 14 + 4 * ethernet.vlanIds().size();
      case Layer.LinuxCooked cooked -> cooked.ifIndex() == 0 ? 16 : 20;
      case null, default -> 0;
    };
  }

  /** The name this host gives interface {@code index}, "?" as tcpdump's where there is none. */
  private static String interfaceName(int index) {
    if (index <= 0) {
      return "?"; // A damaged header: getByIndex refuses negative indexes.
    }
    try {
      var nic = java.net.NetworkInterface.getByIndex(index);
      return nic == null ? "?" : nic.getName();
    } catch (java.net.SocketException e) {
      return "?";
    }
  }

  /** print-sll.c's sll_pkttype_values. */
  private static String direction(Layer.LinuxCooked cooked) {
    return switch (cooked.packetType()) {
      case 0 -> "In";
      case 1 -> "B";
      case 2 -> "M";
      case 3 -> "P";
      case 4 -> "Out";
      default -> "Unknown (" + cooked.packetType() + ")";
    };
  }

  private static String etherType(int type, int length) {
    String name =
        switch (type) {
          case PacketDecoder.ETHERTYPE_IPV4 -> "IPv4";
          case PacketDecoder.ETHERTYPE_IPV6 -> "IPv6";
          case PacketDecoder.ETHERTYPE_ARP -> "ARP";
          case PacketDecoder.ETHERTYPE_VLAN -> "802.1Q";
          case PacketDecoder.ETHERTYPE_QINQ -> "802.1Q-QinQ";
          default -> "Unknown";
        };
    return String.format("ethertype %s (0x%04x), length %d", name, type, length);
  }

  /** Addresses, with ports after a dot where TCP or UDP follows, as tcpdump writes them. */
  private void ip(
      StringBuilder text, String source, String destination, Layer next, Layer afterNext) {
    String from = names.host(source);
    String to = names.host(destination);
    switch (next) {
      case Layer.Tcp tcp ->
          text.append(from)
              .append('.')
              .append(names.tcpPort(tcp.sourcePort()))
              .append(" > ")
              .append(to)
              .append('.')
              .append(names.tcpPort(tcp.destinationPort()))
              .append(": ");
      case Layer.Udp udp ->
          text.append(from)
              .append('.')
              .append(names.udpPort(udp.sourcePort()))
              .append(" > ")
              .append(to)
              .append('.')
              .append(names.udpPort(udp.destinationPort()))
              .append(": ");
      case Layer.Ports ports -> {
        // The truncated mark after the ports says whose they are, and so which names they get.
        boolean udp = afterNext instanceof Layer.Problem problem && problem.layer().equals("udp");
        text.append(from)
            .append('.')
            .append(udp ? names.udpPort(ports.sourcePort()) : names.tcpPort(ports.sourcePort()))
            .append(" > ")
            .append(to)
            .append('.')
            .append(
                udp
                    ? names.udpPort(ports.destinationPort())
                    : names.tcpPort(ports.destinationPort()))
            .append(": ");
      }
      // print-tcp.c, ports not captured: "%s > %s:" then the mark, one space; others put a space.
      case Layer.Problem problem when problem.truncated() && problem.layer().equals("tcp") ->
          text.append(from).append(" > ").append(to).append(':');
      case null, default -> text.append(from).append(" > ").append(to).append(": ");
    }
  }

  /**
   * An ICMP error's or neighbour message's target ("10.0.0.1", "10.0.0.1 udp port 53"), its address
   * and port named as tcpdump names them.
   */
  private String target(String target) {
    if (target == null) {
      return null;
    }
    int space = target.indexOf(' ');
    if (space < 0) {
      return names.host(target);
    }
    String rest = target.substring(space);
    var port = QUOTED_PORT.matcher(rest);
    if (port.matches()) {
      int number = Integer.parseInt(port.group(2));
      rest =
          " "
              + port.group(1)
              + " port "
              + (port.group(1).equals("tcp") ? names.tcpPort(number) : names.udpPort(number));
    }
    return names.host(target.substring(0, space)) + rest;
  }

  private static final java.util.regex.Pattern QUOTED_PORT =
      java.util.regex.Pattern.compile(" (tcp|udp) port (\\d+)");

  private void tcp(StringBuilder text, DecodedPacket packet, Layer.Tcp tcp) {
    String source = "";
    String destination = "";
    for (Layer layer : packet.layers()) {
      if (layer instanceof Layer.Ipv4 ip) {
        source = ip.source();
        destination = ip.destination();
      } else if (layer instanceof Layer.Ipv6 ip) {
        source = ip.source();
        destination = ip.destination();
      }
    }
    long seq = tcp.sequence();
    long ack = tcp.acknowledgement();
    long sackBase = -1; // SACK blocks number what the acknowledgement numbers: relative as it is
    int flags = tcp.flags();
    if ((flags & 0x10) != 0) {
      // print-tcp.c: both directions share one entry, keyed with the lower port first.
      boolean reverse =
          tcp.sourcePort() > tcp.destinationPort()
              || (tcp.sourcePort() == tcp.destinationPort() && source.compareTo(destination) > 0);
      var key =
          reverse
              ? new Connection(destination, source, tcp.destinationPort(), tcp.sourcePort())
              : new Connection(source, destination, tcp.sourcePort(), tcp.destinationPort());
      Initial initial = connections.get(key);
      if (initial == null) {
        initial = new Initial();
        if (reverse) {
          initial.ack = seq;
          initial.seq = (ack - 1) & 0xffffffffL;
        } else {
          initial.seq = seq;
          initial.ack = (ack - 1) & 0xffffffffL;
        }
        connections.put(key, initial);
      } else if (reverse) {
        seq = (seq - initial.ack) & 0xffffffffL;
        ack = (ack - initial.seq) & 0xffffffffL;
        sackBase = initial.seq;
      } else {
        seq = (seq - initial.seq) & 0xffffffffL;
        ack = (ack - initial.ack) & 0xffffffffL;
        sackBase = initial.ack;
      }
    }
    text.append("Flags [").append(flags(flags)).append(']');
    if (verbose && tcp.expectedChecksum() >= 0) {
      text.append(String.format(", cksum 0x%04x", tcp.checksum()));
      text.append(
          tcp.checksum() == tcp.expectedChecksum()
              ? " (correct)"
              : String.format(" (incorrect -> 0x%04x)", tcp.expectedChecksum()));
    }
    int length = tcp.payloadLength();
    if (length > 0 || (flags & 0x07) != 0) {
      text.append(", seq ").append(seq);
      if (length > 0) {
        text.append(':').append((seq + length) & 0xffffffffL);
      }
    }
    if ((flags & 0x10) != 0) {
      text.append(", ack ").append(ack);
    }
    text.append(", win ").append(tcp.window());
    if ((flags & 0x20) != 0) {
      text.append(", urg ").append(tcp.urgent());
    }
    if (!tcp.options().isEmpty() || tcp.optionsEnd() != Layer.Tcp.OptionsEnd.WHOLE) {
      text.append(", options [");
      for (int i = 0; i < tcp.options().size(); i++) {
        text.append(i == 0 ? "" : ",").append(relativeSack(tcp.options().get(i), sackBase));
      }
      switch (tcp.optionsEnd()) {
        case WHOLE -> text.append(']');
        // print-tcp.c prints the separator before it reads the next option's kind: the cut finds
        // it printed. It prints nothing after the mark: no "]", no length.
        case CUT_BETWEEN -> {
          text.append(tcp.options().isEmpty() ? "" : ",");
          return;
        }
        case CUT_INSIDE -> {
          return;
        }
        // print-tcp.c's bad label: "]" only where an option came before the bad one (its "ch"
        // was set), then nothing.
        case BAD -> {
          text.append(tcp.options().size() > 1 ? "]" : "");
          return;
        }
      }
    }
    text.append(", length ").append(length);
  }

  /**
   * print-tcp.c prints each SACK block's edges less the base of the acknowledgement numbers of the
   * packet's direction: {@code "sack 1 {1201:2401}"}. Other options, and blocks where no base is
   * known yet (-1), are as decoded.
   */
  private static String relativeSack(String option, long base) {
    if (base < 0 || !option.startsWith("sack ")) {
      return option;
    }
    var matcher = SACK_BLOCK.matcher(option);
    var text = new StringBuilder();
    while (matcher.find()) {
      long start = (Long.parseLong(matcher.group(1)) - base) & 0xffffffffL;
      long end = (Long.parseLong(matcher.group(2)) - base) & 0xffffffffL;
      matcher.appendReplacement(text, "{" + start + ":" + end + "}");
    }
    return matcher.appendTail(text).toString();
  }

  private static final java.util.regex.Pattern SACK_BLOCK =
      java.util.regex.Pattern.compile("\\{(\\d+):(\\d+)\\}");

  /** tcpdump's flag letters, in its order: FIN SYN RST PSH ACK URG ECE CWR. */
  static String flags(int flags) {
    String letters = "FSRP.UEW";
    var text = new StringBuilder();
    for (int bit = 0; bit < 8; bit++) {
      if ((flags & (1 << bit)) != 0) {
        text.append(letters.charAt(bit));
      }
    }
    return text.isEmpty() ? "none" : text.toString();
  }

  /** print-icmp.c's words for the common types. */
  private String icmp4(Layer.Icmp icmp) {
    String body =
        switch (icmp.type()) {
          case 0 -> "echo reply, id " + icmp.identifier() + ", seq " + icmp.sequence();
          case 8 -> "echo request, id " + icmp.identifier() + ", seq " + icmp.sequence();
          case 3 -> unreachable4(icmp);
          case 11 ->
              switch (icmp.code()) {
                case 0 -> "time exceeded in-transit";
                case 1 -> "ip reassembly time exceeded";
                default -> "time exceeded-#" + icmp.code();
              };
          default -> "type-#" + icmp.type();
        };
    return "ICMP " + body + ", length " + icmp.length();
  }

  /**
   * print-icmp.c's words for a destination unreachable (RFC 792, RFC 1191 §4, RFC 1812 §5.2.7.1):
   * its unreach2str, the quoted protocol or port where the code names one, a need-frag's MTU.
   */
  private String unreachable4(Layer.Icmp icmp) {
    String to = target(icmp.target());
    return switch (icmp.code()) {
      case 0 -> "net " + to + " unreachable";
      case 1 -> "host " + to + " unreachable";
      case 2, 3 -> to + " unreachable";
      case 4 ->
          to
              + " unreachable - need to frag"
              + (icmp.parameter() > 0 ? " (mtu " + icmp.parameter() + ")" : "");
      case 5 -> to + " unreachable - source route failed";
      case 6 -> "net " + to + " unreachable - unknown";
      case 7 -> "host " + to + " unreachable - unknown";
      case 8 -> to + " unreachable - source host isolated";
      case 9 -> "net " + to + " unreachable - admin prohibited";
      case 10 -> "host " + to + " unreachable - admin prohibited";
      case 11 -> "net " + to + " unreachable - tos prohibited";
      case 12 -> "host " + to + " unreachable - tos prohibited";
      case 13 -> "host " + to + " unreachable - admin prohibited filter";
      case 14 -> "host " + to + " unreachable - host precedence violation";
      case 15 -> "host " + to + " unreachable - precedence cutoff";
      default -> to + " unreachable - #" + icmp.code();
    };
  }

  /**
   * print-icmp6.c's icmp6_dst_unreach_code_values (RFC 4443 §3.1), the second with its leading
   * space as tcpdump 4.99 has it.
   */
  private static String unreachable6(int code) {
    return switch (code) {
      case 0 -> "unreachable route";
      case 1 -> " unreachable prohibited";
      case 2 -> "beyond scope";
      case 3 -> "unreachable address";
      case 4 -> "unreachable port";
      default -> "unknown unreach code (" + code + ")";
    };
  }

  /** print-icmp6.c's words for the common types. */
  private String icmp6(Layer.Icmp icmp, boolean verbose) {
    String body = icmp6Body(icmp);
    // print-icmp6.c gives the length last without -v; with it, after the type, or not at all.
    if (!verbose) {
      return "ICMP6, " + body + ", length " + icmp.length();
    }
    return switch (icmp.type()) {
      case 135, 136 -> "ICMP6, " + body.replaceFirst(", ", ", length " + icmp.length() + ", ");
      default -> "ICMP6, " + body;
    };
  }

  /**
   * What print-icmp6.c names after a destination unreachable's code: the quoted destination, a
   * beyond-scope one's source too, a port unreachable's protocol and port.
   */
  private String unreachableTarget6(Layer.Icmp icmp) {
    if (icmp.target() == null) {
      return "";
    }
    return switch (icmp.code()) {
      case 2 -> {
        String[] addresses = icmp.target().split(" ");
        yield " " + names.host(addresses[0]) + ", source address " + names.host(addresses[1]);
      }
      case 4 ->
          ", "
              + target(icmp.target())
                  .replaceFirst(
                      " protocol (\\d+) port (\\d+)$", " protocol $1 port $2 unreachable");
      default -> " " + target(icmp.target());
    };
  }

  /** print-icmp6.c's words for the type (and what follows it) of {@code icmp}. */
  private String icmp6Body(Layer.Icmp icmp) {
    return switch (icmp.type()) {
      case 1 -> "destination unreachable, " + unreachable6(icmp.code()) + unreachableTarget6(icmp);
      case 2 -> "packet too big, mtu " + Integer.toUnsignedString(icmp.parameter());
      case 3 ->
          "time exceeded in-transit"
              + switch (icmp.code()) {
                case 0 -> " for " + target(icmp.target());
                case 1 -> " (reassembly)";
                default -> ", unknown code (" + icmp.code() + ")";
              };
      case 4 -> {
        String octet = " - octet " + Integer.toUnsignedString(icmp.parameter());
        yield "parameter problem, "
            + switch (icmp.code()) {
              case 0 -> "erroneous" + octet;
              case 1 -> "next header" + octet;
              case 2 -> "option" + octet;
              case 3 -> "incomplete header chain" + octet;
              default -> "code-#" + icmp.code();
            };
      }
      case 128 -> "echo request, id " + icmp.identifier() + ", seq " + icmp.sequence();
      case 129 -> "echo reply, id " + icmp.identifier() + ", seq " + icmp.sequence();
      case 130 -> "multicast listener query";
      case 131 -> "multicast listener report";
      case 132 -> "multicast listener done";
      case 133 -> "router solicitation";
      case 134 -> "router advertisement";
      case 135 -> "neighbor solicitation, who has " + target(icmp.target());
      case 136 -> "neighbor advertisement, tgt is " + target(icmp.target());
      case 137 -> "redirect";
      case Transport.MLDV2_REPORT -> "multicast listener report v2" + groupRecords(icmp.report());
      default -> "type " + icmp.type();
    };
  }

  /**
   * print-icmp6.c's mldv2_report_print: the count, and with -v each record, its sources counted
   * (tcpdump's -vv lists them; this text has one level of -v).
   */
  private String groupRecords(Layer.MulticastReport report) {
    if (report == null) {
      return "";
    }
    var text = new StringBuilder(", ").append(report.count()).append(" group record(s)");
    if (!verbose) {
      return text.toString();
    }
    for (Layer.GroupRecord record : report.records()) {
      text.append(" [gaddr ").append(names.host(record.group()));
      text.append(' ').append(record.type());
      text.append(", ").append(record.sources().size()).append(" source(s)]");
    }
    if (report.invalid() != null) {
      text.append(" [").append(report.invalid()).append(']');
    }
    return text.toString();
  }
}
