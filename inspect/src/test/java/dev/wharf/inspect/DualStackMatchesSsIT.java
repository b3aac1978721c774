package dev.wharf.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.SsListing;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IPv6 wildcard listeners against ss: one that takes IPv4 too (the JDK's default), which ss prints
 * {@code *:PORT}, and one with {@code IPV6_V6ONLY} (held by python3: the JDK has no option for it),
 * which ss prints {@code [::]:PORT}.
 */
@Timeout(60)
class DualStackMatchesSsIT {
  private static final String V6ONLY_LISTENER =
      "import socket,sys\n"
          + "s=socket.socket(socket.AF_INET6)\n"
          + "s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,1)\n"
          + "s.bind(('::',0)); s.listen()\n"
          + "print(s.getsockname()[1],flush=True)\n"
          + "sys.stdin.read()\n";

  @Test
  void wildcardsReadAsSsPrintsThem() throws Exception {
    Process python =
        new ProcessBuilder("/usr/bin/python3", "-c", V6ONLY_LISTENER)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (ServerSocketChannel dual =
        ServerSocketChannel.open(StandardProtocolFamily.INET6)
            .bind(new InetSocketAddress("::", 0))) {
      int dualPort = ((InetSocketAddress) dual.getLocalAddress()).getPort();
      int v6onlyPort;
      try (var out =
          new BufferedReader(
              new InputStreamReader(python.getInputStream(), StandardCharsets.US_ASCII))) {
        v6onlyPort = Integer.parseInt(out.readLine().strip());
      }

      List<String> ours =
          Sockets.list(SocketQuery.all()).sockets().stream()
              .filter(s -> s.kind() == SocketKind.TCP && s.state() == SocketState.LISTEN)
              .filter(
                  s ->
                      ((Endpoint.Inet) s.local()).port() == dualPort
                          || ((Endpoint.Inet) s.local()).port() == v6onlyPort)
              .map(s -> s.local().text() + " " + s.peer().text())
              .sorted()
              .toList();
      List<String> theirs =
          SsListing.read().stream()
              .filter(s -> s.netid().equals("tcp") && s.state().equals("LISTEN"))
              .filter(
                  s -> s.local().endsWith(":" + dualPort) || s.local().endsWith(":" + v6onlyPort))
              .map(s -> s.local() + " " + s.peer())
              .sorted()
              .toList();

      assertThat(ours)
          .containsExactly("*:" + dualPort + " *:*", "[::]:" + v6onlyPort + " [::]:*")
          .isEqualTo(theirs);
    } finally {
      python.getOutputStream().close(); // its stdin ends: it exits
      if (!python.waitFor(10, TimeUnit.SECONDS)) {
        python.destroyForcibly();
      }
    }
  }
}
