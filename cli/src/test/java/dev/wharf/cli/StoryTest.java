package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class StoryTest {

  @Test
  void ipv6AddressesAreWrittenShort() {
    assertThat(Story.compactIpv6("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(Story.compactIpv6("0:0:0:0:0:0:0:0")).isEqualTo("::");
    assertThat(Story.compactIpv6("fe80:0:0:0:1:0:0:2%lo")).isEqualTo("fe80::1:0:0:2%lo");
    assertThat(Story.compactIpv6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
  }

  @Test
  void addressesAreFormattedAsTyped() {
    assertThat(Story.format(new InetSocketAddress("::1", 80))).isEqualTo("[::1]:80");
    assertThat(Story.format(new InetSocketAddress("127.0.0.1", 80))).isEqualTo("127.0.0.1:80");
  }
}
