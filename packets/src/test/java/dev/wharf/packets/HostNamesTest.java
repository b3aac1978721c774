package dev.wharf.packets;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * getnameinfo(3) through FFM, on the machine's own /etc/hosts; TraceNamesIT names a host whose
 * address record is missing, in a namespace with its own resolver.
 */
class HostNamesTest {
  @Test
  void theLoopbackAddressIsNamedAsTheHostsFileNamesIt() throws Exception {
    // Debian's /etc/hosts, and every container's: "127.0.0.1 localhost" first.
    assertThat(HostNames.of(InetAddress.ofLiteral("127.0.0.1"))).hasValue("localhost");
  }
}
