package dev.wharf.cli.socket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code wharf echo} with socat as the client. */
class EchoIT extends EndToEnd {

  @Test
  void tcpEchoesByteExactToPeersAtOnce() throws Exception {
    Child echo = wharf(null, null, "echo", "-v", "127.0.0.1:0");
    int port = listeningPort(echo, "tcp");
    Path a = randomFile("a", 400 * 1024);
    Path b = randomFile("b", 400 * 1024);

    Child peerA = peer(a, dir.resolve("a-back"), "socat", "-t", "10", "-", "TCP:127.0.0.1:" + port);
    Child peerB = peer(b, dir.resolve("b-back"), "socat", "-t", "10", "-", "TCP:127.0.0.1:" + port);

    assertThat(peerA.awaitExit()).isZero();
    assertThat(peerB.awaitExit()).isZero();
    assertThat(sha256(dir.resolve("a-back"))).isEqualTo(sha256(a));
    assertThat(sha256(dir.resolve("b-back"))).isEqualTo(sha256(b));
    echo.awaitErr("closed: 409600 bytes sent, 409600 received; the peer closed first");
  }

  @Test
  void aPortTheKernelChoseIsToldWithoutVerbose() throws Exception {
    Child echo = wharf(null, null, "echo", "127.0.0.1:0");
    int port = listeningPort(echo, "tcp");
    assertThat(port).isPositive();
    assertThat(echo.errLines()).containsExactly("wharf echo: listening on tcp 127.0.0.1:" + port);
  }

  @Test
  void unixEchoesByteExactAndRemovesItsSocketOnTerm() throws Exception {
    Path socket = dir.resolve("e.sock");
    Child echo = wharf(null, null, "echo", "-v", "--unix", socket.toString());
    echo.awaitErr("listening on unix");
    Path input = randomFile("in", 400 * 1024);
    Path back = dir.resolve("back");

    Child socat = peer(input, back, "socat", "-t", "10", "-", "UNIX-CONNECT:" + socket);

    assertThat(socat.awaitExit()).isZero();
    assertThat(sha256(back)).isEqualTo(sha256(input));
    echo.end(); // SIGTERM
    assertThat(socket).doesNotExist();
  }

  @Test
  void udpEchoesEachDatagramToItsSender() throws Exception {
    Child echo = wharf(null, null, "echo", "-v", "--udp", "127.0.0.1:0");
    int port = listeningPort(echo, "udp");
    Path input = randomFile("in", 48 * 1024);
    Path back = dir.resolve("back");

    peer(input, back, "socat", "-b", "65536", "-t", "10", "-", "UDP:127.0.0.1:" + port);

    awaitSize(back, 48 * 1024);
    assertThat(sha256(back)).isEqualTo(sha256(input));
  }
}
