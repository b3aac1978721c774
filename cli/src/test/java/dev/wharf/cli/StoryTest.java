package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class StoryTest {

  @Test
  void addressesAreFormattedAsTyped() {
    assertThat(Story.format(new InetSocketAddress("::1", 80))).isEqualTo("[::1]:80");
    assertThat(Story.format(new InetSocketAddress("127.0.0.1", 80))).isEqualTo("127.0.0.1:80");
  }
}
