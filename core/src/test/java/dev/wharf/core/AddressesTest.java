package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressesTest {

  @Test
  void ipv6AddressesAreWrittenShort() {
    assertThat(Addresses.compactIpv6("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(Addresses.compactIpv6("0:0:0:0:0:0:0:0")).isEqualTo("::");
    assertThat(Addresses.compactIpv6("fe80:0:0:0:1:0:0:2%lo")).isEqualTo("fe80::1:0:0:2%lo");
    assertThat(Addresses.compactIpv6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
  }

  @Test
  void socketAddressesPutIpv6InBrackets() throws Exception {
    assertThat(Addresses.host(InetAddress.getByName("::1"))).isEqualTo("::1");
    assertThat(Addresses.format(new InetSocketAddress("::1", 80))).isEqualTo("[::1]:80");
    assertThat(Addresses.format(new InetSocketAddress("127.0.0.1", 80))).isEqualTo("127.0.0.1:80");
  }

  private static String ipv6(String literal) throws Exception {
    return Addresses.ipv6(InetAddress.getByName(literal).getAddress());
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
  void bytesAreWrittenAsInetNtopWritesThem() throws Exception {
    assertThat(ipv6("::1")).isEqualTo("::1");
    assertThat(ipv6("::")).isEqualTo("::");
    assertThat(ipv6("1::")).isEqualTo("1::");
    assertThat(ipv6("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1"); // the first of equals
    assertThat(ipv6("1:0:0:1:0:0:0:1")).isEqualTo("1:0:0:1::1"); // the longest
    assertThat(ipv6("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
    assertThat(ipv6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1"); // one zero stays
    assertThat(Addresses.ipv6(mapped(127, 0, 0, 1))).isEqualTo("::ffff:127.0.0.1");
    assertThat(ipv6("::192.0.2.5")).isEqualTo("::192.0.2.5");
  }

  @Test
  void aScopedAddressKeepsItsScope() throws Exception {
    var scoped =
        java.net.Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 1);
    assertThat(Addresses.host(scoped)).isEqualTo("fe80::1%1");
  }
}
