package dev.wharf.packets.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketDecoderTest {
  /** A SYN from 10.0.0.1:41234 to 10.0.0.2:8080 with Linux's options, as captured on Ethernet. */
  static final byte[] SYN =
      HexFormat.of()
          .parseHex(
              "020000000002020000000001"
                  + "0800"
                  + "4500003c1c4640004006"
                  + "0a6f"
                  + "0a000001"
                  + "0a000002"
                  + "a1121f90"
                  + "000003e8"
                  + "00000000"
                  + "a002"
                  + "faf0"
                  + "0000"
                  + "0000"
                  + "020405b4"
                  + "0402"
                  + "080a0000000100000000"
                  + "01"
                  + "030307");

  /** An ICMPv6 echo request behind a hop-by-hop header, in a VLAN 42 tag. */
  static final byte[] VLAN_IPV6_ECHO =
      HexFormat.of()
          .parseHex(
              "333300000001020000000001"
                  + "8100002a"
                  + "86dd"
                  + "60000000"
                  + "0010"
                  + "00"
                  + "40"
                  + "fd000000000000000000000000000001"
                  + "fd000000000000000000000000000002"
                  + "3a00010400000000"
                  + "80000000"
                  + "00070001");

  /** An ARP request: who has 10.0.0.2, tell 10.0.0.1. */
  static final byte[] ARP =
      HexFormat.of()
          .parseHex(
              "ffffffffffff020000000001"
                  + "0806"
                  + "0001080006040001"
                  + "020000000001"
                  + "0a000001"
                  + "000000000000"
                  + "0a000002");

  /**
   * ping -R's echo request as captured on a veth pair: a NOP, then a record route option with its
   * first address filled in.
   */
  static final byte[] RECORD_ROUTE_ECHO =
      HexFormat.of()
          .parseHex(
              "bef6773e71aafa86fcf1c1370800"
                  + "4f00007c18b040004001d0d70a4d00010a4d0002"
                  + "010727080a4d0001"
                  + "0000000000000000000000000000000000000000000000000000000000000000"
                  + "08002b47379200015de0126b000000006407020000000000"
                  + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
                  + "3031323334353637");

  /** The frames below were captured with tcpdump on a veth pair between two namespaces. */
  private static byte[] hex(String text) {
    return HexFormat.of().parseHex(text);
  }

  /** dig's DNS query (A? example.com. with an OPT record) to 10.77.0.2:53. */
  static final String DNS_QUERY_IP =
      "45000050907b00004011d5850a4d00010a4d000297260035003c14ea"
          + "dc8f01200001000000000001076578616d706c6503636f6d000001000100002904d000000000000c000a00"
          + "0819cdd61a4d3919a7";

  /** curl's GET /index.html, one segment after the handshake. */
  static final String HTTP_REQUEST_IP =
      "45000087412d40004006e4a70a4d00010a4d0002ab88005033a0b52567b4eb518018003f15160000"
          + "0101080af6a92a9f1eec46e9"
          + "474554202f696e6465782e68746d6c20485454502f312e310d0a486f73743a2031302e37372e302e320d"
          + "0a557365722d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a";

  /**
   * The corpus: each frame with its link type and how far its headers must be whole for a decode
   * without a truncated mark (for ICMP what tcpdump reads to print it: an echo's identifier and
   * sequence number, an unreachable's quoted destination and port).
   */
  record Sample(String name, int linkType, byte[] data, int headersEnd) {}

  static final List<Sample> CORPUS =
      List.of(
          new Sample("tcp syn", PacketDecoder.LINKTYPE_ETHERNET, SYN, 14 + 20 + 40),
          new Sample(
              "vlan ipv6 hop-by-hop echo",
              PacketDecoder.LINKTYPE_ETHERNET,
              VLAN_IPV6_ECHO,
              18 + 40 + 8 + 8),
          new Sample("arp", PacketDecoder.LINKTYPE_ETHERNET, ARP, 14 + 28),
          new Sample(
              "ipv4 record route echo",
              PacketDecoder.LINKTYPE_ETHERNET,
              RECORD_ROUTE_ECHO,
              14 + 60 + 8),
          new Sample(
              "udp dns query",
              PacketDecoder.LINKTYPE_ETHERNET,
              hex("bef6773e71aafa86fcf1c1370800" + DNS_QUERY_IP),
              14 + 20 + 8),
          new Sample(
              "http request over tcp",
              PacketDecoder.LINKTYPE_ETHERNET,
              hex("bef6773e71aafa86fcf1c1370800" + HTTP_REQUEST_IP),
              14 + 20 + 32),
          new Sample(
              "sll dns query",
              PacketDecoder.LINKTYPE_LINUX_SLL,
              hex("000400010006fa86fcf1c13700000800" + DNS_QUERY_IP),
              16 + 20 + 8),
          new Sample(
              "sll2 http request",
              PacketDecoder.LINKTYPE_LINUX_SLL2,
              hex("080000000000011e00010406fa86fcf1c1370000" + HTTP_REQUEST_IP),
              20 + 20 + 32),
          new Sample(
              "icmp port unreachable quoting the dns query",
              PacketDecoder.LINKTYPE_ETHERNET,
              hex(
                  "fa86fcf1c137bef6773e71aa080045c0006c298a000040013bab0a4d00020a4d0001"
                      + "0303487d00000000"
                      + DNS_QUERY_IP),
              14 + 20 + 8 + 20 + 4),
          new Sample(
              "ipv4 later fragment (offset 1480), cut at 100 bytes",
              PacketDecoder.LINKTYPE_ETHERNET,
              hex(
                  "bef6773e71aafa86fcf1c1370800450005dc18b220b94001271a0a4d00010a4d0002"
                      + "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3"
                      + "e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0001"),
              14 + 20),
          new Sample(
              "ipv6 fragment header and echo, cut at 126 bytes",
              PacketDecoder.LINKTYPE_ETHERNET,
              hex(
                  "bef6773e71aafa86fcf1c13786dd600c8ed605b02c40"
                      + "fd780000000000000000000000000001fd780000000000000000000000000002"
                      + "3a000001094a969b"
                      + "800040ac4d650001"
                      + "56e1126b00000000a003020000000000101112131415161718191a1b1c1d1e1f"
                      + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"),
              14 + 40 + 8 + 8));

  @Test
  void aSynIsPrintedAsTcpdumpPrintsIt() {
    DecodedPacket packet = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, SYN, SYN.length);
    assertThat(packet.problem()).isEmpty();
    assertThat(new TcpdumpText().line(packet))
        .isEqualTo(
            "IP 10.0.0.1.41234 > 10.0.0.2.8080: Flags [S], seq 1000, win 64240, options [mss"
                + " 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0");
  }

  @Test
  void vlanTagsAndIpv6ExtensionHeadersAreWalked() {
    DecodedPacket packet =
        PacketDecoder.decode(
            PacketDecoder.LINKTYPE_ETHERNET, VLAN_IPV6_ECHO, VLAN_IPV6_ECHO.length);
    assertThat(packet.layer(Layer.Ethernet.class).orElseThrow().vlanIds()).containsExactly(42);
    Layer.Ipv6 ip = packet.layer(Layer.Ipv6.class).orElseThrow();
    assertThat(ip.extensionHeaders()).containsExactly(0);
    assertThat(ip.protocol()).isEqualTo(58);
    // tcpdump prints the tag with -e only.
    assertThat(new TcpdumpText().line(packet))
        .isEqualTo("IP6 fd00::1 > fd00::2: HBH ICMP6, echo request, id 7, seq 1, length 8");
  }

  @Test
  void withETheVlanTagsPriorityAndDeiAreTcpdumps() {
    byte[] frame =
        HexFormat.of()
            .parseHex(HexFormat.of().formatHex(VLAN_IPV6_ECHO).replace("8100002a", "8100702a"));
    DecodedPacket packet =
        PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, frame, frame.length);
    Layer.Ethernet ethernet = packet.layer(Layer.Ethernet.class).orElseThrow();
    assertThat(ethernet.vlanPriorities()).containsExactly(3);
    assertThat(ethernet.vlanDropEligible()).containsExactly(true);
    // As tcpdump 4.99 -e prints the same frame.
    assertThat(new TcpdumpText(false, true).line(packet))
        .isEqualTo(
            "02:00:00:00:00:01 > 33:33:00:00:00:01, ethertype 802.1Q (0x8100), length 74: vlan 42,"
                + " p 3, DEI, ethertype IPv6 (0x86dd), fd00::1 > fd00::2: HBH ICMP6, echo request,"
                + " id 7, seq 1, length 8");
  }

  /**
   * -e on frames with no link address: raw IP (a tun device's) says "ip: " (print-raw.c), and a
   * cooked header with an address of length 0 prints none (print-sll.c prints only 6-byte ones).
   */
  @Test
  void withELinkHeadersWithoutAnAddressAreTcpdumps() {
    byte[] ip = Arrays.copyOfRange(SYN, 14, SYN.length);
    String tcp =
        "10.0.0.1.41234 > 10.0.0.2.8080: Flags [S], seq 1000, win 64240, options [mss"
            + " 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0";
    var withE = new TcpdumpText(false, true);
    assertThat(withE.line(PacketDecoder.decode(PacketDecoder.LINKTYPE_RAW, ip, ip.length)))
        .isEqualTo("ip: " + tcp);
    // Outgoing (4), ARPHRD_NONE (0xfffe), address length 0, 8 bytes of address, IPv4.
    byte[] cooked = new byte[16 + ip.length];
    byte[] header = HexFormat.of().parseHex("0004fffe000000000000000000000800");
    System.arraycopy(header, 0, cooked, 0, 16);
    System.arraycopy(ip, 0, cooked, 16, ip.length);
    assertThat(
            withE.line(
                PacketDecoder.decode(PacketDecoder.LINKTYPE_LINUX_SLL, cooked, cooked.length)))
        .isEqualTo("Out ethertype IPv4 (0x0800), length " + cooked.length + ": " + tcp);
  }

  @Test
  void ipv4OptionsArePrintedAsTcpdumpVPrintsThem() {
    DecodedPacket packet =
        PacketDecoder.decode(
            PacketDecoder.LINKTYPE_ETHERNET, RECORD_ROUTE_ECHO, RECORD_ROUTE_ECHO.length);
    assertThat(packet.problem()).isEmpty();
    assertThat(packet.layer(Layer.Ipv4.class).orElseThrow().options())
        .containsExactly(
            "NOP", "RR 10.77.0.1, 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0");
    // tcpdump 4.99.3 -v on the same frame.
    assertThat(new TcpdumpText(true).line(packet))
        .isEqualTo(
            "IP (tos 0x0, ttl 64, id 6320, offset 0, flags [DF], proto ICMP (1), length 124,"
                + " options (NOP,RR 10.77.0.1, 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0"
                + " 0.0.0.0 0.0.0.0))\n"
                + "    10.77.0.1 > 10.77.0.2: ICMP echo request, id 14226, seq 1, length 64");
    assertThat(PacketJson.of(packet, ""))
        .contains("\"options\":[\"NOP\",\"RR 10.77.0.1, 0.0.0.0 0.0.0.0 ");
  }

  @Test
  void aBadIpv4OptionLengthIsMarkedAsTcpdumpMarksIt() {
    byte[] bad = RECORD_ROUTE_ECHO.clone();
    bad[14 + 20 + 2] = 60; // the RR option says 60 bytes: more than the 39 left in the header
    DecodedPacket packet = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, bad, bad.length);
    assertThat(packet.layer(Layer.Ipv4.class).orElseThrow().options())
        .containsExactly("NOP", "RR [bad length 60]");
  }

  @Test
  void anArpRequestAsksWhoHas() {
    assertThat(
            new TcpdumpText()
                .line(PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, ARP, ARP.length)))
        .isEqualTo("ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28");
  }

  @Test
  void aCutPacketEndsWithATruncatedMark() {
    byte[] cut = Arrays.copyOf(SYN, 14 + 20 + 10);
    DecodedPacket packet = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, cut, SYN.length);
    assertThat(packet.problem()).hasValueSatisfying(p -> assertThat(p.truncated()).isTrue());
    // print-tcp.c prints the ports it could read, then finds the rest of the header missing.
    assertThat(new TcpdumpText().line(packet))
        .isEqualTo("IP 10.0.0.1.41234 > 10.0.0.2.8080:  [|tcp]");
  }

  /**
   * The SYN cut by a snap length at every place tcpdump 4.99 marks differently, and its line for
   * each (as tcpdump -r prints the same cuts of real SYNs: TraceTruncationIT): the ports not
   * captured, the options not at all, cut between two options (the separator printed), inside the
   * first option's data, inside a later one's (print-tcp.c's trunc label adds a "&gt;").
   */
  @Test
  void tcpOptionsCutBySnapLengthAreMarkedAsTcpdumpMarksThem() {
    String head = "IP 10.0.0.1.41234 > 10.0.0.2.8080: Flags [S], seq 1000, win 64240, options [";
    var cuts =
        new java.util.LinkedHashMap<Integer, String>(
            java.util.Map.of(
                20, "IP  [|ip]",
                36, "IP 10.0.0.1 > 10.0.0.2: [|tcp]",
                54, head + " [|tcp]",
                56, head + "mss [|tcp]",
                60, head + "mss 1460,sackOK, [|tcp]",
                62, head + "mss 1460,sackOK,TS [|tcp]>",
                70, head + "mss 1460,sackOK,TS val 1 ecr 0, [|tcp]",
                73, head + "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale [|tcp]>"));
    for (var cut : cuts.entrySet()) {
      byte[] data = Arrays.copyOf(SYN, cut.getKey());
      DecodedPacket packet =
          PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, data, SYN.length);
      assertThat(packet.problem())
          .as("cut at %d", cut.getKey())
          .hasValueSatisfying(p -> assertThat(p.truncated()).isTrue());
      assertThat(new TcpdumpText().line(packet))
          .as("cut at %d", cut.getKey())
          .isEqualTo(cut.getValue());
    }
  }

  /**
   * An echo cut after 4 bytes of ICMP: print-icmp.c reads the identifier before it prints a word;
   * print-icmp6.c names the type first. A UDP header cut after its ports prints them.
   */
  @Test
  void icmpEchoesAndUdpHeadersCutShortAreMarkedAsTcpdumpMarksThem() {
    byte[] echo = Arrays.copyOf(RECORD_ROUTE_ECHO, 14 + 60 + 4);
    assertThat(
            new TcpdumpText()
                .line(
                    PacketDecoder.decode(
                        PacketDecoder.LINKTYPE_ETHERNET, echo, RECORD_ROUTE_ECHO.length)))
        .isEqualTo("IP 10.77.0.1 > 10.77.0.2:  [|icmp]");
    byte[] echo6 = Arrays.copyOf(VLAN_IPV6_ECHO, 18 + 40 + 8 + 4);
    assertThat(
            new TcpdumpText()
                .line(
                    PacketDecoder.decode(
                        PacketDecoder.LINKTYPE_ETHERNET, echo6, VLAN_IPV6_ECHO.length)))
        .isEqualTo("IP6 fd00::1 > fd00::2: HBH ICMP6, echo request [|icmp6]");
    byte[] udp = Arrays.copyOf(hex("bef6773e71aafa86fcf1c1370800" + DNS_QUERY_IP), 14 + 20 + 6);
    DecodedPacket packet = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, udp, 100);
    assertThat(packet.problem()).hasValueSatisfying(p -> assertThat(p.truncated()).isTrue());
    assertThat(new TcpdumpText().line(packet))
        .matches("IP [0-9.]+\\.\\d+ > [0-9.]+\\.53:  \\[\\|udp\\]");
  }

  /**
   * MLDv2 reports as a new interface sends them (hop-by-hop router alert, type 143), and tcpdump
   * 4.99.3 -r's lines for the same bytes, with -n and with -n -v (the hop-by-hop header's router
   * alert and padding named): two records, one with sources; a count the length cannot hold; an
   * unknown record type.
   */
  @Test
  void multicastListenerReportsCountTheirGroupRecordsAsTcpdumpDoes() {
    String head = "33330000001602000000000186dd60000000";
    String addresses =
        "fe800000000000000000000000000001ff020000000000000000000000000016" + "3a00050200000100";
    var reports =
        List.of(
            hex(
                head
                    + "00580001"
                    + addresses
                    + "8f0072cb00000002"
                    + "04000000ff0200000000000000000001ff000001"
                    + "01000002ff0200000000000000000000000000fb"
                    + "fe800000000000000000000000000002fe800000000000000000000000000003"),
            hex(
                head
                    + "00240001"
                    + addresses
                    + "8f00710500000003"
                    + "04000000ff0200000000000000000001ff000001"),
            hex(
                head
                    + "00240001"
                    + addresses
                    + "8f006b0800000001"
                    + "09000000ff020000000000000000000000000002"));
    var plain =
        List.of(
            "IP6 fe80::1 > ff02::16: HBH ICMP6, multicast listener report v2, 2 group record(s),"
                + " length 80",
            "IP6 fe80::1 > ff02::16: HBH ICMP6, multicast listener report v2, 3 group record(s),"
                + " length 28",
            "IP6 fe80::1 > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s),"
                + " length 28");
    var verbose =
        List.of(
            "[icmp6 sum ok] ICMP6, multicast listener report v2, 2 group record(s) [gaddr"
                + " ff02::1:ff00:1 to_ex, 0 source(s)] [gaddr ff02::fb is_in, 2 source(s)]",
            "[icmp6 sum ok] ICMP6, multicast listener report v2, 3 group record(s) [gaddr"
                + " ff02::1:ff00:1 to_ex, 0 source(s)] [invalid number of groups]",
            "[icmp6 sum ok] ICMP6, multicast listener report v2, 1 group record(s) [gaddr ff02::2 "
                + " [v2-report-#9], 0 source(s)]");
    for (int i = 0; i < reports.size(); i++) {
      byte[] data = reports.get(i);
      DecodedPacket packet =
          PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, data, data.length);
      assertThat(packet.problem()).isEmpty();
      assertThat(new TcpdumpText().line(packet)).isEqualTo(plain.get(i));
      assertThat(new TcpdumpText(true).line(packet))
          .isEqualTo(
              "IP6 (hlim 1, next-header Options (0) payload length: "
                  + (data.length - 54)
                  + ") fe80::1 > ff02::16: HBH (rtalert: 0x0000) (padn) "
                  + verbose.get(i));
    }
    assertThat(
            PacketJson.of(
                PacketDecoder.decode(
                    PacketDecoder.LINKTYPE_ETHERNET, reports.get(0), reports.get(0).length),
                ""))
        .contains(
            "\"report\":{\"count\":2,\"records\":[{\"type\":\"to_ex\",\"group\":\"ff02::1:ff00:1\","
                + "\"sources\":[]},{\"type\":\"is_in\",\"group\":\"ff02::fb\",\"sources\":"
                + "[\"fe80::2\",\"fe80::3\"]}],\"invalid\":null}");
  }

  /**
   * A SYN like {@link #SYN} whose options are {@code options} (hex, padded with EOL to a 4-byte
   * boundary), checksums left zero.
   */
  static byte[] synWithOptions(String options) {
    byte[] opts = HexFormat.of().parseHex(options);
    opts = Arrays.copyOf(opts, (opts.length + 3) / 4 * 4);
    byte[] frame = Arrays.copyOf(SYN, 14 + 20 + 20 + opts.length);
    System.arraycopy(opts, 0, frame, 14 + 40, opts.length);
    int total = 20 + 20 + opts.length;
    frame[14 + 2] = (byte) (total >> 8);
    frame[14 + 3] = (byte) total;
    frame[14 + 20 + 12] = (byte) ((20 + opts.length) / 4 << 4);
    return frame;
  }

  /**
   * Options print-tcp.c knows beyond Linux's, unknown kinds, lengths that disagree with the kind
   * and malformed ones, each with tcpdump 4.99.3 -n -r's words for a SYN that carries them (the
   * same bytes, checksums set, written to a pcap by hand): data read by the size the kind expects,
   * "[len N]" where the length byte disagrees, "[bad opt]" where the data would run past the header
   * (then no "]" unless an option came before, and no length).
   */
  @Test
  void tcpOptionsUnknownAndMalformedArePrintedAsTcpdumpPrintsThem() {
    String head = "IP 10.0.0.1.41234 > 10.0.0.2.8080: Flags [S], seq 1000, win 64240, options [";
    var cases = new java.util.LinkedHashMap<String, String>();
    cases.put("6304abcd", "unknown-99 0xabcd], length 0");
    cases.put("6302", "unknown-99,eol], length 0");
    cases.put("fd04abcd", "unknown-253 0xabcd], length 0");
    cases.put("0a02", "unknown-10,eol], length 0");
    cases.put("06060000000107060000000a", "echo 1,echoreply 10], length 0");
    cases.put("0b0600000001", "cc 1,eol], length 0");
    cases.put("0c06000000020d0600000003", "ccnew 2, 3], length 0");
    cases.put(
        "1312" + "00112233445566778899aabbccddeeff",
        "md5 shared secret not supplied with -M, can't check - 00112233445566778899aabbccddeeff,"
            + "eol], length 0");
    cases.put("14040102", "scps cap 01 id 2], length 0");
    cases.put("1c048005", "uto 0x8005 983160], length 0");
    cases.put("1c040005", "uto 0x5 120], length 0");
    cases.put("1d040001", "tcp-ao keyid 0 rnextkeyid 1], length 0");
    cases.put("1d03", "tcp-ao (invalid),eol], length 0");
    cases.put("1d06010203ff", "tcp-ao keyid 1 rnextkeyid 2 mac 0x03ff,eol], length 0");
    cases.put("2202", "tfo  cookiereq,eol], length 0");
    cases.put("220a0102030405060708", "tfo  cookie 0102030405060708,eol], length 0");
    cases.put("2205010203", "tfo  (invalid),eol], length 0");
    cases.put("fe04f989", "exp-tfo cookiereq], length 0");
    cases.put("fe06abcd0102", "exp-abcd,eol], length 0");
    cases.put("0507000000000000", "sack invalid sack,eol], length 0");
    cases.put("020401", "mss 256], length 0");
    cases.put("0203050000000000", "mss 1280[len 3],eol], length 0");
    cases.put("02020204", "mss 516[len 2]], length 0");
    cases.put("030408000000", "wscale 8[len 4],eol], length 0");
    cases.put("04030000", "sackOK[len 3],eol], length 0");
    cases.put("630101010000", "[bad opt]");
    cases.put("0228", "[bad opt]");
    cases.put("0101010102", "nop,nop,nop,nop,[bad opt]]");
    cases.put("1304", "md5[bad opt]");
    cases.put("08040000", "TS[bad opt]");
    cases.put("0b0201", "cc[bad opt]");
    cases.put("fe02", "exp[bad opt]");
    for (var c : cases.entrySet()) {
      byte[] data = synWithOptions(c.getKey());
      DecodedPacket packet =
          PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, data, data.length);
      assertThat(packet.problem()).as(c.getKey()).isEmpty();
      assertThat(new TcpdumpText().line(packet)).as(c.getKey()).isEqualTo(head + c.getValue());
    }
    // Cut inside an unknown option's data: print-tcp.c prints the bytes it checked before the mark.
    byte[] cut = Arrays.copyOf(synWithOptions("0206050063040102ab"), 14 + 40 + 7);
    assertThat(
            new TcpdumpText()
                .line(PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, cut, 14 + 40 + 12)))
        .isEqualTo(head + "mss 1280[len 6],unknown-99 0x01 [|tcp]>");
  }

  /**
   * ICMP and ICMPv6 errors, each with tcpdump 4.99.3 -n -r's line for the same bytes (written to a
   * pcap by hand): every unreachable code's words, a need-frag's MTU (RFC 1191), the quoted
   * protocol and port, ICMPv6's unreachable codes, an unknown one's hex dump in place of the
   * length, packet too big's MTU, time exceeded's and parameter problem's codes.
   */
  @Test
  void icmpErrorsAreWordedAsTcpdumpWordsThem() {
    var cases = new java.util.LinkedHashMap<String, String>();
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a00000103026f8b000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 protocol 17 unreachable, length 40");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a00000103036f8a000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 udp port 53 unreachable, length 40");
    cases.put(
        "02000000000202000000000108004500003800014000400126c20a0000020a000001030360b3000000004500001c00014000408426540a0000010a0000099c40000900000000",
        "IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 protocol 132 port 9 unreachable, length 36");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a00000103046a11000005784500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 unreachable - need to frag (mtu 1400), length 40");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a00000103046f89000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 unreachable - need to frag, length 40");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a000001030d6f80000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP host 10.0.0.9 unreachable - admin prohibited filter, length 40");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a00000103106f7d000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 unreachable - #16, length 40");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a0000010b00678d000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP time exceeded in-transit, length 40");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a0000010b01678c000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP ip reassembly time exceeded, length 40");
    cases.put(
        "02000000000202000000000108004500003c00014000400126be0a0000020a0000010b02678b000000004500002000014000401126c30a0000010a0000099c400035000c000078787878",
        "IP 10.0.0.2 > 10.0.0.1: ICMP time exceeded-#2, length 40");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd00000000000000000000000000000101000bba0000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, destination unreachable, unreachable route fd00::9, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd00000000000000000000000000000101010bb90000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, destination unreachable,  unreachable prohibited fd00::9, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd00000000000000000000000000000101020bb80000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, destination unreachable, beyond scope fd00::9, source address fd00::1, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd00000000000000000000000000000101030bb70000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, destination unreachable, unreachable address fd00::9, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd00000000000000000000000000000101040bb60000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, destination unreachable, unreachable port, fd00::9 udp port 53, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd00000000000000000000000000000101050bb50000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, destination unreachable, unknown unreach code (5)\n\t0x0000:  0105 0bb5 0000 0000 6000 0000 000c 1140\n\t0x0010:  fd00 0000 0000 0000 0000 0000 0000 0001\n\t0x0020:  fd00 0000 0000 0000 0000 0000 0000 0009\n\t0x0030:  9c40 0035 000c 0000 7878 7878");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001020005420000057860000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, packet too big, mtu 1400, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001030009ba0000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, time exceeded in-transit for fd00::9, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001030109b90000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, time exceeded in-transit (reassembly), length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001030209b80000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, time exceeded in-transit, unknown code (2), length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001040008ae0000000c60000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, parameter problem, erroneous - octet 12, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001040108910000002860000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, parameter problem, next header - octet 40, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001040308b70000000060000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, parameter problem, incomplete header chain - octet 0, length 60");
    cases.put(
        "33330000001602000000000186dd60000000003c3a40fd000000000000000000000000000002fd000000000000000000000000000001040708ae0000000560000000000c1140fd000000000000000000000000000001fd0000000000000000000000000000099c400035000c000078787878",
        "IP6 fd00::2 > fd00::1: ICMP6, parameter problem, code-#7, length 60");
    for (var c : cases.entrySet()) {
      byte[] data = hex(c.getKey());
      DecodedPacket packet =
          PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, data, data.length);
      assertThat(packet.problem()).as(c.getValue()).isEmpty();
      assertThat(new TcpdumpText().line(packet, data)).isEqualTo(c.getValue());
    }
    // Cut short, as tcpdump -r prints the same cuts: print-icmp6.c has printed the code's words
    // before it reads the quoted destination, the type's before packet too big's MTU;
    // print-icmp.c prints nothing before it has read the quoted destination.
    var keys = List.copyOf(cases.keySet());
    var cuts =
        List.of(
            java.util.Map.entry(
                10, "IP6 fd00::2 > fd00::1: ICMP6, destination unreachable, unreachable route"),
            java.util.Map.entry(16, "IP6 fd00::2 > fd00::1: ICMP6, packet too big"));
    var lengths = java.util.Map.of(10, 14 + 40 + 20, 16, 14 + 40 + 6);
    for (var cut : cuts) {
      byte[] whole = hex(keys.get(cut.getKey()));
      byte[] data = Arrays.copyOf(whole, lengths.get(cut.getKey()));
      assertThat(
              new TcpdumpText()
                  .line(PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, data, whole.length)))
          .isEqualTo(cut.getValue() + " [|icmp6]");
    }
    byte[] whole = hex(keys.getFirst());
    byte[] data = Arrays.copyOf(whole, 14 + 20 + 8 + 10);
    assertThat(
            new TcpdumpText()
                .line(PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, data, whole.length)))
        .isEqualTo("IP 10.0.0.2 > 10.0.0.1:  [|icmp]");
  }

  /**
   * IP protocols no decoder reads, with tcpdump 4.99.3 -r's lines for the same bytes with -n and
   * without it (its addresses aside: the names here look up protocols only): two spaces before the
   * protocol, its name from tcpdump's own table without -n, a later fragment's protocol alone, and
   * "no next header".
   */
  @Test
  void otherIpProtocolsAreNamedFromTcpdumpsTable() {
    var frames =
        List.of(
            "02000000000202000000000108004500001c0001400040c826170a0000010a0000020000000000000000",
            "02000000000202000000000108004500001c00014000400326dc0a0000010a0000020000000000000000",
            "02000000000202000000000108004500001c00010001401166cd0a0000010a0000020000000000000000",
            "33330000001602000000000186dd600000000008fd40fd000000000000000000000000000001"
                + "fd0000000000000000000000000000020000000000000000",
            "02000000000202000000000108004500001c00014000403b26a40a0000010a0000020000000000000000");
    var numeric =
        List.of(
            "IP 10.0.0.1 > 10.0.0.2:  ip-proto-200 8",
            "IP 10.0.0.1 > 10.0.0.2:  ip-proto-3 8",
            "IP 10.0.0.1 > 10.0.0.2: ip-proto-17",
            "IP6 fd00::1 > fd00::2:  ip-proto-253 8",
            "IP 10.0.0.1 > 10.0.0.2: no next header");
    var named =
        List.of(
            "IP 10.0.0.1 > 10.0.0.2:  ip-proto-200 8",
            "IP 10.0.0.1 > 10.0.0.2:  ggp 8",
            "IP 10.0.0.1 > 10.0.0.2: udp",
            "IP6 fd00::1 > fd00::2:  exptest-253 8",
            "IP 10.0.0.1 > 10.0.0.2: no next header");
    Names protocols =
        new Names() {
          @Override
          public String ipProtocol(int protocol) {
            return IpProtocolNames.of(protocol);
          }
        };
    for (int i = 0; i < frames.size(); i++) {
      byte[] data = hex(frames.get(i));
      DecodedPacket packet =
          PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, data, data.length);
      assertThat(new TcpdumpText().line(packet)).isEqualTo(numeric.get(i));
      assertThat(new TcpdumpText(false, false, PayloadText.NONE, protocols).line(packet))
          .isEqualTo(named.get(i));
    }
    assertThat(IpProtocolNames.of(132)).isEqualTo("sctp");
    assertThat(IpProtocolNames.of(61)).isEqualTo("ip-proto-61");
  }

  /** --follow writes its ends as the line output does: through the same Names, -n or not. */
  @Test
  void storiesNameTheirEndsAsTheLinesDo() {
    DecodedPacket packet = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, SYN, SYN.length);
    Names names =
        new Names() {
          @Override
          public String host(String address) {
            return address.equals("10.0.0.1") ? "client.example" : address;
          }

          @Override
          public String tcpPort(int port) {
            return port == 8080 ? "http-alt" : Integer.toString(port);
          }
        };
    assertThat(new ConnectionStory(names).next(java.time.Instant.EPOCH, packet))
        .hasValue(
            "[1] client client.example.41234 > 10.0.0.2.http-alt: SYN: opens the connection (mss"
                + " 1460, sackOK, wscale 7)");
    assertThat(new ConnectionStory().next(java.time.Instant.EPOCH, packet))
        .hasValueSatisfying(line -> assertThat(line).contains("10.0.0.1.41234 > 10.0.0.2.8080"));
  }

  @Test
  void aBadHeaderLengthIsMalformed() {
    byte[] bad = SYN.clone();
    bad[14] = 0x43; // IHL 3: 12 bytes, less than the 20 of any IPv4 header
    DecodedPacket packet = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, bad, bad.length);
    assertThat(packet.problem())
        .hasValueSatisfying(p -> assertThat(p.truncated()).isFalse())
        .hasValueSatisfying(p -> assertThat(p.layer()).isEqualTo("ip"));
  }

  /** Every sample decodes whole, without a problem: the corpus starts from real packets. */
  @Test
  void theCorpusDecodesWholeWithoutAProblem() {
    for (Sample sample : CORPUS) {
      DecodedPacket packet =
          PacketDecoder.decode(sample.linkType(), sample.data(), sample.data().length);
      assertThat(packet.problem()).as(sample.name()).isEmpty();
    }
  }

  /**
   * The fuzz corpus: every prefix of every sample, and seeded random mutations of them, under every
   * link type, through the decoder, the text (plain, -v, -e), the JSON and the connection story:
   * nothing escapes. A prefix that cuts a sample's headers short, under its own link type, carries
   * the truncated mark, in the layers and in the text.
   */
  @Test
  void truncatedAndMutatedPacketsNeverThrow() {
    var random = new Random(1717);
    int[] linkTypes = {
      PacketDecoder.LINKTYPE_ETHERNET,
      PacketDecoder.LINKTYPE_LINUX_SLL,
      PacketDecoder.LINKTYPE_LINUX_SLL2,
      PacketDecoder.LINKTYPE_RAW,
      999
    };
    var printers = new Printers();
    for (Sample sample : CORPUS) {
      byte[] whole = sample.data();
      for (int linkType : linkTypes) {
        for (int length = 0; length <= whole.length; length++) {
          byte[] cut = Arrays.copyOf(whole, length);
          assertThatCode(() -> printers.decodeAll(linkType, cut)).doesNotThrowAnyException();
        }
      }
      for (int length = 0; length < sample.headersEnd(); length++) {
        byte[] cut = Arrays.copyOf(whole, length);
        DecodedPacket packet = PacketDecoder.decode(sample.linkType(), cut, whole.length);
        // TCP options cut short too: the Tcp layer, then the truncated mark.
        assertThat(packet.problem())
            .as("%s cut at %d", sample.name(), length)
            .hasValueSatisfying(problem -> assertThat(problem.truncated()).isTrue());
        assertThat(new TcpdumpText().line(packet))
            .as("%s cut at %d", sample.name(), length)
            .contains(" [|");
      }
      for (int round = 0; round < 5_000; round++) {
        byte[] mutated = Arrays.copyOf(whole, random.nextInt(whole.length + 8));
        for (int flips = random.nextInt(6); flips >= 0; flips--) {
          if (mutated.length > 0) {
            mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
          }
        }
        int linkType = linkTypes[random.nextInt(linkTypes.length)];
        assertThatCode(() -> printers.decodeAll(linkType, mutated)).doesNotThrowAnyException();
      }
    }
  }

  /** Everything that prints a decoded packet, kept across packets as a capture keeps them. */
  private static final class Printers {
    private final TcpdumpText plain = new TcpdumpText();
    private final TcpdumpText verbose = new TcpdumpText(true, true);
    private final ConnectionStory story = new ConnectionStory();

    void decodeAll(int linkType, byte[] data) {
      DecodedPacket packet = PacketDecoder.decode(linkType, data, data.length + 3);
      plain.line(packet, data);
      verbose.line(packet, data);
      PacketJson.of(packet, "");
      story.next(java.time.Instant.EPOCH, packet);
    }
  }
}
