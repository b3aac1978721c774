package dev.wharf.scan;

import dev.wharf.dns.codec.DnsMessageWriter;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;

/**
 * What a UDP probe sends to a port: a request that its well-known service answers, so that an open
 * port says so (nmap's {@code nmap-payloads} does the same); elsewhere one zero byte, which most
 * services ignore (such ports then stay open|filtered) and an echo service returns. Not an empty
 * datagram, as nmap sends: the JDK's connected channel cannot send one, and a connected socket is
 * what hears the ICMP port unreachable.
 */
final class UdpPayloads {
  private UdpPayloads() {}

  /** The datagram for {@code port}; {@code id} varies the DNS query id between tries. */
  static byte[] forPort(int port, int id) {
    return switch (port) {
      case 53, 5353 -> dnsQuery(id);
      case 123 -> ntpRequest();
      default -> new byte[1];
    };
  }

  /**
   * A query for the root's NS records, recursion not asked for: any DNS server answers it, with the
   * records, a referral, or REFUSED; each is a reply, so the port is open (RFC 1035 §4.1).
   */
  private static byte[] dnsQuery(int id) {
    return DnsMessageWriter.write(
        Message.query(
            id & 0xffff, new Question(DnsName.ROOT, RecordType.NS, RecordClass.IN), false));
  }

  /**
   * An NTP client request (RFC 5905 §7.3): leap indicator 0, version 4, mode 3 (client), the rest
   * zero; a server answers it with a mode 4 packet.
   */
  private static byte[] ntpRequest() {
    byte[] packet = new byte[48];
    packet[0] = 0x23;
    return packet;
  }
}
