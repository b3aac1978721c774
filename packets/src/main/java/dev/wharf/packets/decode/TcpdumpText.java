package dev.wharf.packets.decode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Packets as tcpdump 4.99 prints them with {@code -n} and without {@code -v} or {@code -e}, but the
 * timestamp: {@code IP 10.0.0.1.41234 > 10.0.0.2.8080: Flags [S], seq 0, win 64240, ..., length 0}.
 * Remembers, as tcpdump does, the first sequence numbers of each TCP connection it sees
 * acknowledged, to print later ones relative to them. Not thread-safe: one per capture.
 */
public final class TcpdumpText {
  /** The initial sequence numbers of a connection, keyed as tcpdump's tha (print-tcp.c). */
  private record Connection(String low, String high, int lowPort, int highPort) {}

  private static final class Initial {
    long seq;
    long ack;
  }

  private final Map<Connection, Initial> connections = new HashMap<>();

  /** The line of {@code packet}, without its timestamp. */
  public String line(DecodedPacket packet) {
    var text = new StringBuilder();
    List<Layer> layers = packet.layers();
    int linkLength = 0;
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      Layer next = i + 1 < layers.size() ? layers.get(i + 1) : null;
      switch (layer) {
        case Layer.Ethernet ethernet -> {
          linkLength = 14 + 4 * ethernet.vlanIds().size();
          for (int vlan : ethernet.vlanIds()) {
            text.append("vlan ").append(vlan).append(", ");
          }
          if (next == null) {
            text.append(etherType(ethernet.etherType(), packet.wireLength() - linkLength));
          }
        }
        case Layer.LinuxCooked cooked -> {
          linkLength = cooked.ifIndex() == 0 ? 16 : 20;
          if (next == null) {
            text.append(etherType(cooked.protocol(), packet.wireLength() - linkLength));
          }
        }
        case Layer.Arp arp -> {
          int length = packet.wireLength() - linkLength;
          text.append(
              switch (arp.operation()) {
                case 1 -> "ARP, Request who-has " + arp.targetIp() + " tell " + arp.senderIp();
                case 2 -> "ARP, Reply " + arp.senderIp() + " is-at " + arp.senderMac();
                default -> "ARP, op " + arp.operation();
              });
          text.append(", length ").append(length);
        }
        case Layer.Ipv4 ip -> {
          text.append("IP ");
          ip(text, ip.source(), ip.destination(), next);
          if (ip.fragmentOffset() > 0 || (next == null && !ip.moreFragments())) {
            if (next == null) {
              text.append("ip-proto-").append(ip.protocol()).append(' ').append(ip.payloadLength());
            }
          }
        }
        case Layer.Ipv6 ip -> {
          text.append("IP6 ");
          ip(text, ip.source(), ip.destination(), next);
          if (ip.extensionHeaders().contains(0)) {
            text.append("HBH "); // print-ip6.c names the hop-by-hop header before what follows
          }
          if (next == null) {
            text.append("ip-proto-").append(ip.protocol()).append(' ').append(ip.payloadLength());
          }
        }
        case Layer.Tcp tcp -> tcp(text, packet, tcp);
        case Layer.Udp udp -> text.append("UDP, length ").append(udp.payloadLength());
        case Layer.Icmp icmp -> text.append(icmp.v6() ? icmp6(icmp) : icmp4(icmp));
        case Layer.Problem problem ->
            text.append(
                problem.truncated()
                    ? " [|" + problem.layer() + "]"
                    : " [malformed " + problem.layer() + ": " + problem.detail() + "]");
      }
    }
    return text.toString();
  }

  private static String etherType(int type, int length) {
    String name =
        switch (type) {
          case PacketDecoder.ETHERTYPE_IPV4 -> "IPv4";
          case PacketDecoder.ETHERTYPE_IPV6 -> "IPv6";
          case PacketDecoder.ETHERTYPE_ARP -> "ARP";
          default -> "Unknown";
        };
    return String.format("ethertype %s (0x%04x), length %d", name, type, length);
  }

  /** Addresses, with ports after a dot where TCP or UDP follows, as tcpdump writes them. */
  private static void ip(StringBuilder text, String source, String destination, Layer next) {
    switch (next) {
      case Layer.Tcp tcp ->
          text.append(source)
              .append('.')
              .append(tcp.sourcePort())
              .append(" > ")
              .append(destination)
              .append('.')
              .append(tcp.destinationPort())
              .append(": ");
      case Layer.Udp udp ->
          text.append(source)
              .append('.')
              .append(udp.sourcePort())
              .append(" > ")
              .append(destination)
              .append('.')
              .append(udp.destinationPort())
              .append(": ");
      case null, default -> text.append(source).append(" > ").append(destination).append(": ");
    }
  }

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
      } else {
        seq = (seq - initial.seq) & 0xffffffffL;
        ack = (ack - initial.ack) & 0xffffffffL;
      }
    }
    text.append("Flags [").append(flags(flags)).append(']');
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
    if (!tcp.options().isEmpty()) {
      text.append(", options [").append(String.join(",", tcp.options())).append(']');
    }
    text.append(", length ").append(length);
  }

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
  private static String icmp4(Layer.Icmp icmp) {
    String body =
        switch (icmp.type()) {
          case 0 -> "echo reply, id " + icmp.identifier() + ", seq " + icmp.sequence();
          case 8 -> "echo request, id " + icmp.identifier() + ", seq " + icmp.sequence();
          case 3 ->
              switch (icmp.code()) {
                case 0 -> "net " + icmp.target() + " unreachable";
                case 1 -> "host " + icmp.target() + " unreachable";
                case 2 -> icmp.target() + " protocol unreachable";
                case 3 -> icmp.target() + " unreachable";
                default -> "unreachable code " + icmp.code();
              };
          case 11 -> icmp.code() == 0 ? "time exceeded in-transit" : "ip reassembly time exceeded";
          default -> "type-#" + icmp.type();
        };
    return "ICMP " + body + ", length " + icmp.length();
  }

  /** print-icmp6.c's words for the common types. */
  private static String icmp6(Layer.Icmp icmp) {
    String body =
        switch (icmp.type()) {
          case 1 -> "destination unreachable";
          case 2 -> "packet too big";
          case 3 -> "time exceeded in-transit";
          case 4 -> "parameter problem";
          case 128 -> "echo request, id " + icmp.identifier() + ", seq " + icmp.sequence();
          case 129 -> "echo reply, id " + icmp.identifier() + ", seq " + icmp.sequence();
          case 130 -> "multicast listener query";
          case 131 -> "multicast listener report";
          case 132 -> "multicast listener done";
          case 133 -> "router solicitation";
          case 134 -> "router advertisement";
          case 135 -> "neighbor solicitation, who has " + icmp.target();
          case 136 -> "neighbor advertisement, tgt is " + icmp.target();
          case 137 -> "redirect";
          case 143 -> "multicast listener report v2";
          default -> "type " + icmp.type();
        };
    return "ICMP6, " + body + ", length " + icmp.length();
  }
}
