package dev.wharf.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResolvConfTest {

  @Test
  void nameserversAndOptionsAreRead() {
    var conf =
        ResolvConf.parse(
            """
            # a comment
            search example.test
            nameserver 192.0.2.53
            nameserver ::1
            options ndots:2 timeout:3 attempts:4
            """);
    assertThat(conf.servers())
        .containsExactly(new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("::1", 53));
    assertThat(conf.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(conf.attempts()).isEqualTo(4);
  }

  @Test
  void withoutNameserversTheLocalOneIsAskedWithTheDefaults() {
    var conf = ResolvConf.parse("nameserver not-an-address\n");
    assertThat(conf.servers()).hasSize(1);
    assertThat(conf.servers().getFirst().getAddress().isLoopbackAddress()).isTrue();
    assertThat(conf.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(conf.attempts()).isEqualTo(2);
  }

  @Test
  void atMostThreeServersAndCappedOptions() {
    var conf =
        ResolvConf.parse(
            "nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n"
                + "options timeout:99 attempts:99\n");
    assertThat(conf.servers()).hasSize(3);
    assertThat(conf.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(conf.attempts()).isEqualTo(5);
  }
}
