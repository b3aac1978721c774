package dev.wharf.packets.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The rewriting of libpcap's programs for cooked sockets, on programs the system's libpcap
 * compiles, instruction by instruction as pcap-linux.c's fix_offset would do it.
 */
class KernelFiltersTest {
  private static final int SLL = 113;
  private static final int SLL2 = 276;
  private static final int AD_PROTOCOL = -0x1000;
  private static final int AD_PKTTYPE = -0x1000 + 4;

  @Test
  void sll2LoadsMoveBackByTheHeaderAndItsProtocolBecomesTheKernelsAncillaryLoad() throws Exception {
    byte[] compiled = Libpcap.get().compile(SLL2, 262_144, "udp port 4444");
    byte[] rewritten = KernelFilters.forCookedSocket(compiled, true).orElseThrow();
    assertThat(rewritten).hasSameSizeAs(compiled);
    int loads = 0;
    for (int at = 0; at < compiled.length; at += 8) {
      int before = k(compiled, at);
      int after = k(rewritten, at);
      if (!isPacketLoad(compiled, at)) {
        assertThat(after).isEqualTo(before);
        continue;
      }
      loads++;
      assertThat(after).isEqualTo(before == 0 ? AD_PROTOCOL : before - 20);
    }
    assertThat(loads).isGreaterThan(2);
  }

  @Test
  void sllPacketTypeAndProtocolBecomeAncillaryLoads() throws Exception {
    byte[] compiled = Libpcap.get().compile(SLL, 262_144, "inbound and ip");
    byte[] rewritten = KernelFilters.forCookedSocket(compiled, false).orElseThrow();
    boolean sawType = false;
    boolean sawProtocol = false;
    for (int at = 0; at < compiled.length; at += 8) {
      if (isPacketLoad(compiled, at)) {
        sawType |= k(compiled, at) == 0 && k(rewritten, at) == AD_PKTTYPE;
        sawProtocol |= k(compiled, at) == 14 && k(rewritten, at) == AD_PROTOCOL;
      }
    }
    assertThat(sawType).isTrue();
    assertThat(sawProtocol).isTrue();
  }

  @Test
  void aProgramReadingTheLinkAddressStaysInUserSpace() throws Exception {
    byte[] compiled = Libpcap.get().compile(SLL, 262_144, "link[6] == 2");
    assertThat(KernelFilters.forCookedSocket(compiled, false)).isEmpty();
  }

  @Test
  void theLoopbackPrefixDropsOutgoingCopiesAndRunsTheProgramOtherwise() {
    byte[] program = KernelFilters.acceptAll(96);
    byte[] prefixed = KernelFilters.skippingLoopbackEchoes(program, 1);
    assertThat(prefixed).hasSize(6 * 8);
    ByteBuffer code = ByteBuffer.wrap(prefixed).order(ByteOrder.nativeOrder());
    // ld pkttype; jeq #OUTGOING jt 0 jf 3; ld ifindex; jeq #1 jt 0 jf 1; ret #0; the program
    assertThat(code.getInt(4)).isEqualTo(AD_PKTTYPE);
    assertThat(code.get(8 + 3)).isEqualTo((byte) 3);
    assertThat(code.getInt(8 + 4)).isEqualTo(4);
    assertThat(code.getInt(3 * 8 + 4)).isEqualTo(1);
    assertThat(code.get(3 * 8 + 3)).isEqualTo((byte) 1);
    assertThat(code.getShort(4 * 8)).isEqualTo((short) 0x06);
    assertThat(code.getInt(4 * 8 + 4)).isZero();
    assertThat(code.getInt(5 * 8 + 4)).isEqualTo(96);
    assertThat(KernelFilters.skippingLoopbackEchoes(program, -1)).isSameAs(program);
  }

  private static boolean isPacketLoad(byte[] program, int at) {
    int op = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder()).getShort(at) & 0xffff;
    int mode = op & 0xe0;
    return (op & 0x07) <= 1 && (mode == 0x20 || mode == 0x40 || mode == 0xa0);
  }

  private static int k(byte[] program, int at) {
    return ByteBuffer.wrap(program).order(ByteOrder.nativeOrder()).getInt(at + 4);
  }
}
