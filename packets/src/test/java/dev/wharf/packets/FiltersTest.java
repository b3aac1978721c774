package dev.wharf.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.packets.pcap.CapturedPacket;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Filters compiled by the system's libpcap for a file's link type, run on its packets. */
class FiltersTest {
  /** IPv4 from 10.0.0.1 to 10.0.0.2, protocol {@code protocol}, ports 1234 to 4444. */
  private static byte[] rawIp(int protocol) {
    return new byte[] {
      0x45,
      0,
      0,
      28,
      0,
      0,
      0,
      0,
      64,
      (byte) protocol,
      0,
      0,
      10,
      0,
      0,
      1,
      10,
      0,
      0,
      2, //
      0x04,
      (byte) 0xd2,
      0x11,
      0x5c,
      0,
      8,
      0,
      0
    };
  }

  /**
   * A raw IP file (a tun device's, link type 101): libpcap knows the link type as DLT_RAW (12), and
   * refuses 101 ("unknown data link type").
   */
  @Test
  void aRawIpPacketIsFilteredAsLibpcapFiltersItsLinkType() throws Exception {
    byte[] program = Filters.compile(101, 262_144, "udp port 4444");
    assertThat(Filters.matches(program, new CapturedPacket(Instant.EPOCH, rawIp(17), 28))).isTrue();
    assertThat(Filters.matches(program, new CapturedPacket(Instant.EPOCH, rawIp(6), 28))).isFalse();
  }
}
