package dev.wharf.packets;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** The SYN a probe sends, and the answers read back from frames, without a socket. */
class SynSegmentsTest {
  private static final int SOURCE_PORT = 40_000;
  private static final IntUnaryOperator SEQUENCE = port -> 0x1000_0000 + port;

  private final InetAddress us = address("10.0.0.1");
  private final InetAddress them = address("10.0.0.2");

  @Test
  void aSynCarriesItsPortsSequenceFlagAndMss() {
    byte[] syn = SynSegments.syn(us, them, SOURCE_PORT, 443, SEQUENCE.applyAsInt(443));
    assertThat(syn).hasSize(24);
    assertThat(get16(syn, 0)).isEqualTo(SOURCE_PORT);
    assertThat(get16(syn, 2)).isEqualTo(443);
    assertThat(get32(syn, 4)).isEqualTo(0x1000_0000 + 443);
    assertThat(syn[12] & 0xff).isEqualTo(6 << 4);
    assertThat(syn[13]).isEqualTo((byte) 0x02);
    assertThat(syn).containsSubsequence((byte) 2, (byte) 4, (byte) 0x05, (byte) 0xb4);
  }

  /** RFC 1071: summing the pseudo-header and a segment with its checksum in place gives 0xffff. */
  @Test
  void theChecksumVerifiesOverThePseudoHeaderForBothFamilies() {
    for (String[] pair :
        new String[][] {
          {"10.0.0.1", "10.0.0.2"}, {"fd77::1", "fd77::2"}, {"127.0.0.1", "127.0.0.1"}
        }) {
      InetAddress from = address(pair[0]);
      InetAddress to = address(pair[1]);
      for (int port : new int[] {1, 80, 65_535}) {
        byte[] syn = SynSegments.syn(from, to, SOURCE_PORT, port, port * 7919);
        assertThat(verify(from, to, syn)).as(pair[0] + " port " + port).isEqualTo(0xffff);
      }
    }
  }

  /** The template's SYNs, port and checksum patched in, are byte for byte the ones built whole. */
  @Test
  void aTemplatedSynIsTheSynBuiltWhole() {
    var random = new Random(17);
    for (String[] pair : new String[][] {{"10.0.0.1", "10.0.0.2"}, {"fd77::1", "fd77::2"}}) {
      InetAddress from = address(pair[0]);
      InetAddress to = address(pair[1]);
      var template = new SynSegments.Template(from, to, SOURCE_PORT);
      byte[] batch = new byte[3 * SynSegments.TCP_HEADER];
      for (int round = 0; round < 2000; round++) {
        int port =
            round < 3 ? new int[] {1, 65_535, 0xffff - 1}[round] : 1 + random.nextInt(65_535);
        int sequence = round == 0 ? 0xffff_ffff : random.nextInt();
        int slot = round % 3;
        template.write(batch, slot * SynSegments.TCP_HEADER, port, sequence);
        byte[] whole = SynSegments.syn(from, to, SOURCE_PORT, port, sequence);
        byte[] written =
            java.util.Arrays.copyOfRange(
                batch, slot * SynSegments.TCP_HEADER, (slot + 1) * SynSegments.TCP_HEADER);
        assertThat(written).as(pair[0] + " port " + port + " seq " + sequence).isEqualTo(whole);
      }
    }
  }

  /**
   * A fixed vector: the SYN from 10.0.0.1:40000 to 10.0.0.2:80, seq 1, window 1024, MSS 1460; its
   * checksum, 0xe392, worked out apart from this code (the 16-bit words summed, folded, inverted).
   */
  @Test
  void aKnownSegmentHasItsKnownChecksum() {
    assertThat(get16(SynSegments.syn(us, them, SOURCE_PORT, 80, 1), 16)).isEqualTo(0xe392);
  }

  @Test
  void aSynAckIsOpenAndARstClosed() {
    assertThat(read(ethernetIpv4(tcp(443, 0x12, SEQUENCE.applyAsInt(443) + 1))))
        .contains(new SynAnswer(443, SynAnswer.Kind.SYN_ACK, "syn-ack"));
    assertThat(read(ethernetIpv4(tcp(444, 0x14, SEQUENCE.applyAsInt(444) + 1))))
        .contains(new SynAnswer(444, SynAnswer.Kind.RESET, "reset"));
  }

  @Test
  void anAnswerThatAcknowledgesAnotherSequenceIsNotOurs() {
    assertThat(read(ethernetIpv4(tcp(443, 0x12, 12_345)))).isEmpty();
  }

  @Test
  void ourOwnSynSeenOnLoopbackIsNoAnswer() {
    assertThat(read(ethernetIpv4(tcp(443, 0x02, 0)))).isEmpty();
  }

  @Test
  void anIcmpUnreachableQuotingAProbeIsFilteredWithItsReason() {
    byte[] probe = SynSegments.syn(us, them, SOURCE_PORT, 8080, SEQUENCE.applyAsInt(8080));
    byte[] quotedIp = ipv4Header(us, them, 6, probe.length);
    byte[] icmp = new byte[8 + quotedIp.length + 8];
    icmp[0] = 3;
    icmp[1] = 13;
    System.arraycopy(quotedIp, 0, icmp, 8, quotedIp.length);
    System.arraycopy(probe, 0, icmp, 8 + quotedIp.length, 8);
    byte[] frame =
        ethernet(0x0800, concat(ipv4Header(address("10.0.0.254"), us, 1, icmp.length), icmp));
    assertThat(read(frame))
        .contains(new SynAnswer(8080, SynAnswer.Kind.UNREACHABLE, "admin-prohibited"));
  }

  @Test
  void anIpv6SynAckInALinuxCookedFrameIsOpen() {
    InetAddress us6 = address("fd77::1");
    InetAddress them6 = address("fd77::2");
    byte[] segment = tcp(22, 0x12, SEQUENCE.applyAsInt(22) + 1);
    byte[] ip = new byte[40];
    ip[0] = 0x60;
    ip[4] = 0;
    ip[5] = (byte) segment.length;
    ip[6] = 6;
    ip[7] = 64;
    System.arraycopy(them6.getAddress(), 0, ip, 8, 16);
    System.arraycopy(us6.getAddress(), 0, ip, 24, 16);
    byte[] sll = new byte[16];
    sll[14] = (byte) 0x86;
    sll[15] = (byte) 0xdd;
    byte[] frame = concat(sll, concat(ip, segment));
    assertThat(SynSegments.answer(frame, 113, us6, them6, SOURCE_PORT, SEQUENCE))
        .contains(new SynAnswer(22, SynAnswer.Kind.SYN_ACK, "syn-ack"));
  }

  /**
   * Every truncation and a few thousand corruptions of real answers: empty or an answer, no throw.
   */
  @Test
  void truncatedAndCorruptedFramesNeverThrow() {
    var random = new Random(17);
    byte[] good = ethernetIpv4(tcp(443, 0x12, SEQUENCE.applyAsInt(443) + 1));
    // Cut before the TCP flags (Ethernet 14, IPv4 20, TCP's first 14 bytes): no answer.
    for (int length = 0; length < 48; length++) {
      assertThat(read(java.util.Arrays.copyOf(good, length))).as("%d bytes", length).isEmpty();
    }
    for (int i = 0; i < 5000; i++) {
      byte[] bad = good.clone();
      bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      for (int linkType : new int[] {1, 101, 113}) {
        SynSegments.answer(bad, linkType, us, them, SOURCE_PORT, SEQUENCE);
      }
    }
  }

  private Optional<SynAnswer> read(byte[] frame) {
    return SynSegments.answer(frame, 1, us, them, SOURCE_PORT, SEQUENCE);
  }

  /** A TCP header from {@code port} on the target to our source port. */
  private static byte[] tcp(int port, int flags, int acknowledged) {
    byte[] tcp = new byte[20];
    put16(tcp, 0, port);
    put16(tcp, 2, SOURCE_PORT);
    put16(tcp, 8, acknowledged >>> 16);
    put16(tcp, 10, acknowledged);
    tcp[12] = 0x50;
    tcp[13] = (byte) flags;
    return tcp;
  }

  private byte[] ethernetIpv4(byte[] tcp) {
    return ethernet(0x0800, concat(ipv4Header(them, us, 6, tcp.length), tcp));
  }

  private static byte[] ethernet(int etherType, byte[] payload) {
    byte[] header = new byte[14];
    put16(header, 12, etherType);
    return concat(header, payload);
  }

  private static byte[] ipv4Header(InetAddress from, InetAddress to, int protocol, int payload) {
    byte[] ip = new byte[20];
    ip[0] = 0x45;
    put16(ip, 2, 20 + payload);
    ip[8] = 64;
    ip[9] = (byte) protocol;
    System.arraycopy(from.getAddress(), 0, ip, 12, 4);
    System.arraycopy(to.getAddress(), 0, ip, 16, 4);
    return ip;
  }

  private static int verify(InetAddress from, InetAddress to, byte[] tcp) {
    long sum = 6 + tcp.length;
    for (byte[] part : new byte[][] {from.getAddress(), to.getAddress(), tcp}) {
      for (int i = 0; i < part.length; i += 2) {
        sum += get16(part, i);
      }
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static void put16(byte[] bytes, int at, int value) {
    bytes[at] = (byte) (value >>> 8);
    bytes[at + 1] = (byte) value;
  }

  private static int get16(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
  }

  private static int get32(byte[] bytes, int at) {
    return (get16(bytes, at) << 16) | get16(bytes, at + 2);
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
