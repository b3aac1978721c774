package dev.wharf.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class Ipv6TextTest {

  private static String format(String address) throws Exception {
    return Ipv6Text.format(InetAddress.getByName(address).getAddress());
  }

  private static byte[] mapped(int a, int b, int c, int d) {
    byte[] bytes = new byte[16];
    bytes[10] = (byte) 0xff;
    bytes[11] = (byte) 0xff;
    bytes[12] = (byte) a;
    bytes[13] = (byte) b;
    bytes[14] = (byte) c;
    bytes[15] = (byte) d;
    return bytes;
  }

  @Test
  void loopbackAndWildcardAreShortest() throws Exception {
    assertThat(format("::1")).isEqualTo("::1");
    assertThat(format("::")).isEqualTo("::");
  }

  @Test
  void theLongestRunOfZeroesIsCompressedAndTheFirstOfEquals() throws Exception {
    assertThat(format("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
    assertThat(format("1:0:0:1:0:0:0:1")).isEqualTo("1:0:0:1::1");
    assertThat(format("fe80:0:0:0:0:0:0:1")).isEqualTo("fe80::1");
  }

  @Test
  void aSingleZeroGroupIsNotCompressed() throws Exception {
    // RFC 5952 §4.2.2
    assertThat(format("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
  }

  @Test
  void mappedIpv4IsWrittenAsInetNtopWritesIt() {
    assertThat(Ipv6Text.format(mapped(127, 0, 0, 1))).isEqualTo("::ffff:127.0.0.1");
  }
}
