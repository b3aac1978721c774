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
}
