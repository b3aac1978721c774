package dev.wharf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The echo benchmark's server processes: each binds port 0, says in its READY line which port it
 * got, and echoes there; a wrong flag gets one usage line and exit code 2.
 */
class EchoServersIT {
  private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();

  private static List<String> echoServer(String... args) {
    var command =
        new java.util.ArrayList<>(
            List.of(
                JAVA,
                "-cp",
                System.getProperty("java.class.path"),
                EchoServerMain.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  @ParameterizedTest
  @ValueSource(strings = {"wharf", "netty-nio", "netty-epoll"})
  void bindsPortZeroAndEchoesOnThePortItPrints(String impl) throws Exception {
    try (var server =
        ServerProcess.start(impl, echoServer("--impl", impl, "--port", "0", "--loops", "1"))) {
      String[] ready = server.readyLine().split(" "); // READY <impl> <port> <pid>
      assertThat(ready[1]).isEqualTo(impl);
      int port = Integer.parseInt(ready[2]);
      assertThat(port).isPositive();
      assertThat(Long.parseLong(ready[3])).isEqualTo(server.pid());
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        byte[] hello = "hello, echo".getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(hello);
        assertThat(readExactly(socket.getInputStream(), hello.length)).isEqualTo(hello);
      }
    }
  }

  @Test
  void aWrongFlagGetsTheUsageAndExitCodeTwo() throws Exception {
    Process p =
        new ProcessBuilder(echoServer("--impl", "wharf", "--threads", "1"))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(output.strip())
        .isEqualTo(
            "unknown argument --threads; usage: EchoServerMain --impl wharf|netty-nio|netty-epoll"
                + " [--host 127.0.0.1] [--port 7007] [--loops 1] [--no-timeouts]");
  }

  private static byte[] readExactly(InputStream in, int length) throws Exception {
    byte[] bytes = new byte[length];
    int read = 0;
    while (read < length) {
      int n = in.read(bytes, read, length - read);
      assertThat(n).as("bytes before end of stream").isPositive();
      read += n;
    }
    return bytes;
  }
}
