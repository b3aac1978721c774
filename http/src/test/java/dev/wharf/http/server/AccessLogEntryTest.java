package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogEntryTest {

  @Test
  void anIpv6ClientIsLoggedCompressed() {
    var entry =
        new AccessLogEntry(
            new InetSocketAddress("::1", 50000), Instant.EPOCH, "GET / HTTP/1.1", 200, 5, "");
    assertThat(entry.commonLogFormat())
        .startsWith("::1 - - [")
        .endsWith("\"GET / HTTP/1.1\" 200 5");
  }
}
