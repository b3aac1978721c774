package dev.wharf.cli.socket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code wharf connect} against socat servers. */
class ConnectIT extends EndToEnd {

  @Test
  void tcpIsByteExactBothWaysAndEndsWhenThePeerDoes() throws Exception {
    Child socat = peer(null, null, "socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1", "PIPE");
    int port = socatPort(socat);
    Path input = randomFile("in", 300 * 1024);
    Path output = dir.resolve("out");

    Child wharf = wharf(input, output, "connect", "-v", "127.0.0.1", String.valueOf(port));

    assertThat(wharf.awaitExit()).isZero();
    assertThat(sha256(output)).isEqualTo(sha256(input));
    assertThat(wharf.errLines())
        .anyMatch(
            line ->
                line.matches(
                    "wharf connect: connected to 127\\.0\\.0\\.1:"
                        + port
                        + " from 127\\.0\\.0\\.1:\\d+ in [\\d.]+ ms"))
        .contains(
            "wharf connect: closed: 307200 bytes sent, 307200 received;"
                + " we closed first; our side keeps TIME-WAIT");
  }

  @Test
  void unixIsByteExact() throws Exception {
    Path socket = dir.resolve("s.sock");
    Child socat = peer(null, null, "socat", "-d", "-d", "UNIX-LISTEN:" + socket, "PIPE");
    socat.awaitErr("listening on");
    Path input = randomFile("in", 300 * 1024);
    Path output = dir.resolve("out");

    Child wharf = wharf(input, output, "connect", "--unix", socket.toString());

    assertThat(wharf.awaitExit()).isZero();
    assertThat(sha256(output)).isEqualTo(sha256(input));
  }

  @Test
  void udpSendsEachReadAsADatagramAndQuitsWhenQuiet() throws Exception {
    // -b: socat reads 8 KiB by default and would cut our 16 KiB datagrams.
    Child socat =
        peer(null, null, "socat", "-d", "-d", "-b", "65536", "UDP-LISTEN:0,bind=127.0.0.1", "PIPE");
    int port = socatPort(socat);
    Path input = randomFile("in", 48 * 1024);
    Path output = dir.resolve("out");

    Child wharf =
        wharf(input, output, "connect", "--udp", "-w", "1", "127.0.0.1", String.valueOf(port));

    assertThat(wharf.awaitExit()).isZero();
    assertThat(sha256(output)).isEqualTo(sha256(input));
  }

  @Test
  void udpToAClosedPortIsRefusedAsNcatSays() throws Exception {
    int port;
    try (var gone = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      port = gone.getLocalPort();
    }
    Path input = java.nio.file.Files.writeString(dir.resolve("x"), "x");

    Child wharf =
        wharf(input, null, "connect", "--udp", "-w", "3", "127.0.0.1", String.valueOf(port));

    wharf.assertExitsWith(
        1,
        "wharf connect: connection refused: udp 127.0.0.1:"
            + port
            + " (port unreachable: nothing is listening there)");
  }

  @Test
  void zeroSaysSucceededForAnOpenPort() throws Exception {
    Child socat = peer(null, null, "socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1", "PIPE");
    int port = socatPort(socat);

    Child wharf = wharf(null, null, "connect", "-z", "-v", "127.0.0.1", String.valueOf(port));

    assertThat(wharf.awaitExit()).isZero();
    assertThat(wharf.errLines())
        .contains("Connection to 127.0.0.1 " + port + " port [tcp] succeeded!");
  }

  @Test
  void zeroFailsForAClosedPortWithOneLine() throws Exception {
    int port = closedPort();

    Child wharf = wharf(null, null, "connect", "-z", "127.0.0.1", String.valueOf(port));

    wharf.assertExitsWith(
        1,
        "wharf connect: connection refused: 127.0.0.1:" + port + " (nothing is listening there)");
  }

  @Test
  void refusedConnectionIsOneLineAndExitOne() throws Exception {
    int port = closedPort();

    Child wharf = wharf(null, null, "connect", "127.0.0.1", String.valueOf(port));

    wharf.assertExitsWith(
        1,
        "wharf connect: connection refused: 127.0.0.1:" + port + " (nothing is listening there)");
  }

  @Test
  void unknownHostIsOneLine() throws Exception {
    Child wharf = wharf(null, null, "connect", "nosuch.invalid", "80");

    wharf.assertExitsWith(1, "wharf connect: cannot resolve host name: nosuch.invalid");
  }
}
