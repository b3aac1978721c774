package dev.wharf.packets.decode;

import java.util.List;

/** One decoded layer of a packet. Values; any thread. */
public sealed interface Layer {

  /**
   * Ethernet II (IEEE 802.3), with its 802.1Q tags outermost first: each tag's VLAN ID, priority
   * (PCP, 0 to 7) and drop eligible indicator (DEI), the same index in each list.
   */
  record Ethernet(
      String source,
      String destination,
      int etherType,
      List<Integer> vlanIds,
      List<Integer> vlanPriorities,
      List<Boolean> vlanDropEligible)
      implements Layer {}

  /** Linux cooked capture (SLL, or SLL2 with the interface index; 0 for SLL). */
  record LinuxCooked(int packetType, int hardwareType, String address, int protocol, int ifIndex)
      implements Layer {}

  /** ARP over Ethernet and IPv4 (RFC 826). */
  record Arp(int operation, String senderMac, String senderIp, String targetMac, String targetIp)
      implements Layer {}

  /**
   * IPv4 (RFC 791): {@code payloadLength} is the total length less the header; {@code
   * expectedChecksum} is what the header checksum should be (-1 where the header was cut short);
   * {@code options} in tcpdump's words ({@code "RR 10.0.0.1, 0.0.0.0"}, {@code "NOP"}), empty where
   * there are none or the capture cut them short.
   */
  record Ipv4(
      String source,
      String destination,
      int protocol,
      int ttl,
      int identification,
      boolean dontFragment,
      boolean moreFragments,
      int fragmentOffset,
      int headerLength,
      int payloadLength,
      int tos,
      int totalLength,
      int checksum,
      int expectedChecksum,
      List<String> options)
      implements Layer {}

  /**
   * IPv6 (RFC 8200): {@code protocol} is the last next-header after the extension headers, whose
   * numbers are listed; {@code payloadLength} counts what follows them, {@code payloadLengthField}
   * all of it, as the header says; {@code nextHeader} is the header's own. {@code hopByHopOptions}:
   * a hop-by-hop header's options in tcpdump -v's words (print-ip6opt.c: "(padn)", "(rtalert:
   * 0x0000) "), empty where there is none, or where it has an option those words do not cover yet
   * (jumbo, home address) or one cut short or malformed.
   */
  record Ipv6(
      String source,
      String destination,
      int protocol,
      int hopLimit,
      int flowLabel,
      List<Integer> extensionHeaders,
      int payloadLength,
      int trafficClass,
      int nextHeader,
      int payloadLengthField,
      List<String> hopByHopOptions)
      implements Layer {}

  /**
   * ICMP or ICMPv6; {@code identifier} and {@code sequence} are -1 but for echo. Checksums here and
   * below: the packet's, and what it should be (-1 where the capture cut the message short). An
   * ICMPv6 message the capture cut short is followed by a truncated {@link Problem}: its type is
   * known, its code -1 where it was not captured, its checksum -1 where it was not. {@code report}
   * is an MLDv2 report's group records (RFC 3810 §5.2), null for every other message; {@code
   * parameter} the second word where the type gives it a meaning (a need-frag's or packet too big's
   * MTU, a parameter problem's pointer), -1 elsewhere. {@code target} is what an error quotes
   * ("10.0.0.9 udp port 53", "10.0.0.9 protocol 17", a beyond-scope's destination and source after
   * a space) or a neighbour message's target.
   */
  record Icmp(
      boolean v6,
      int type,
      int code,
      int identifier,
      int sequence,
      String target,
      int length,
      int checksum,
      int expectedChecksum,
      int parameter,
      MulticastReport report)
      implements Layer {

    /** An ICMP message without a parameter or an MLDv2 report. */
    public Icmp(
        boolean v6,
        int type,
        int code,
        int identifier,
        int sequence,
        String target,
        int length,
        int checksum,
        int expectedChecksum) {
      this(
          v6,
          type,
          code,
          identifier,
          sequence,
          target,
          length,
          checksum,
          expectedChecksum,
          -1,
          null);
    }
  }

  /**
   * An MLDv2 report (RFC 3810 §5.2): how many group records its header says ({@code count}), the
   * records read within the message's length, and, where the length ends before the records or
   * sources the header counts, tcpdump's word for that ("invalid number of groups", "invalid number
   * of sources 3"; null where the message is whole).
   */
  record MulticastReport(int count, List<GroupRecord> records, String invalid) {}

  /**
   * One MLDv2 group record: its type in tcpdump's words ("is_in", "to_ex"; "[v2-report-#9]" for an
   * unknown one), the multicast address and its sources.
   */
  record GroupRecord(String type, String group, List<String> sources) {}

  /**
   * TCP (RFC 9293) with its options in tcpdump's words, as far as the capture has them: {@code
   * optionsEnd} says whether and where the capture cut them short (a truncated {@link Problem}
   * follows the layer then).
   */
  record Tcp(
      int sourcePort,
      int destinationPort,
      long sequence,
      long acknowledgement,
      int flags,
      int window,
      int urgent,
      List<String> options,
      OptionsEnd optionsEnd,
      int payloadLength,
      int checksum,
      int expectedChecksum)
      implements Layer {

    /** A TCP header whose options, if any, were captured whole. */
    public Tcp(
        int sourcePort,
        int destinationPort,
        long sequence,
        long acknowledgement,
        int flags,
        int window,
        int urgent,
        List<String> options,
        int payloadLength,
        int checksum,
        int expectedChecksum) {
      this(
          sourcePort,
          destinationPort,
          sequence,
          acknowledgement,
          flags,
          window,
          urgent,
          options,
          OptionsEnd.WHOLE,
          payloadLength,
          checksum,
          expectedChecksum);
    }

    /** Where the options end: whole, or where the capture cut them short. */
    public enum OptionsEnd {
      /** Every option the header has. */
      WHOLE,
      /**
       * Up to a malformed option, the last listed, which ends "[bad opt]" (after its name where
       * tcpdump printed it): print-tcp.c stops there, and prints no length nor payload.
       */
      BAD,
      /** Cut at an option's kind or length byte: the options listed are all whole. */
      CUT_BETWEEN,
      /**
       * Cut inside an option's data: the last option listed is what tcpdump prints of it before it
       * finds its data missing ("TS", "mss", "sack 1 {1:2}").
       */
      CUT_INSIDE
    }
  }

  /**
   * The ports of a TCP or UDP header the capture cut short after them (tcpdump prints them): a
   * truncated {@link Problem} follows.
   */
  record Ports(int sourcePort, int destinationPort) implements Layer {}

  /** UDP (RFC 768); {@code payloadLength} as the UDP length field says, less the header. */
  record Udp(
      int sourcePort, int destinationPort, int payloadLength, int checksum, int expectedChecksum)
      implements Layer {}

  /** A layer that could not be read: truncated (the capture ended) or malformed. */
  record Problem(String layer, boolean truncated, String detail) implements Layer {}
}
