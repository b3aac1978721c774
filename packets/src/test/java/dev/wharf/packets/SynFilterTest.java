package dev.wharf.packets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wharf.packets.internal.Libpcap;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** SynFilter's program against the one the system's libpcap compiles from the same expression. */
class SynFilterTest {
  private static final int ETHERNET = 1;

  @Test
  void theLoopbacksProgramIsLibpcapsInstructionForInstruction() throws Exception {
    assertSameAsLibpcap("127.0.0.1", "127.0.0.1", 40_123, 256);
  }

  @Test
  void anotherHostsProgramIsLibpcapsToo() throws Exception {
    assertSameAsLibpcap("192.0.2.200", "10.255.0.1", 65_535, 96);
    assertSameAsLibpcap("203.0.113.7", "198.51.100.1", 1, 262_144);
  }

  @Test
  void ipv6IsLeftToLibpcap() throws Exception {
    var loopback = InetAddress.getByName("::1");
    assertThat(SynFilter.ethernet(loopback, loopback, 40_000, 256)).isEmpty();
  }

  private static void assertSameAsLibpcap(String target, String source, int port, int snapLength)
      throws Exception {
    assumeTrue(libpcapPresent(), "libpcap (libpcap.so.0.8) is not installed");
    var to = InetAddress.getByName(target);
    var from = InetAddress.getByName(source);
    byte[] theirs =
        Libpcap.get().compile(ETHERNET, snapLength, SynProber.expression(to, from, port));
    assertThat(SynFilter.ethernet(to, from, port, snapLength).orElseThrow()).isEqualTo(theirs);
  }

  private static boolean libpcapPresent() {
    try {
      Libpcap.get();
      return true;
    } catch (PacketSocketException missing) {
      return false;
    }
  }
}
