package dev.wharf.cli.socket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code wharf listen} with socat as the client. */
class ListenIT extends EndToEnd {

  @Test
  void tcpIsByteExactBothWaysAndExitsWhenThePeerCloses() throws Exception {
    Path toPeer = randomFile("to-peer", 200 * 1024);
    Path fromPeer = randomFile("from-peer", 300 * 1024);
    Path heard = dir.resolve("heard");
    Path peerHeard = dir.resolve("peer-heard");
    Child wharf = wharf(toPeer, heard, "listen", "-v", "127.0.0.1:0");
    int port = listeningPort(wharf, "tcp");

    Child socat = peer(fromPeer, peerHeard, "socat", "-t", "10", "-", "TCP:127.0.0.1:" + port);

    assertThat(socat.awaitExit()).isZero();
    assertThat(wharf.awaitExit()).isZero();
    assertThat(sha256(heard))
        .as("wharf: %s; socat: %s", wharf.errLines(), socat.errLines())
        .isEqualTo(sha256(fromPeer));
    assertThat(sha256(peerHeard)).isEqualTo(sha256(toPeer));
  }

  @Test
  void afterThePeersFinTheRestOfAFileOnStdinIsStillSent() throws Exception {
    Path toPeer = randomFile("to-peer", 4 << 20);
    Path peerHeard = dir.resolve("peer-heard");
    Path nothing = Files.createFile(dir.resolve("nothing"));
    Child wharf = wharf(toPeer, null, "listen", "-v", "127.0.0.1:0");
    int port = listeningPort(wharf, "tcp");
    // socat has nothing to send: its FIN comes at once, long before 4 MiB can have gone out.
    Child socat = peer(nothing, peerHeard, "socat", "-t", "30", "-", "TCP:127.0.0.1:" + port);

    assertThat(wharf.awaitExit()).isZero();
    assertThat(socat.awaitExit()).isZero();
    assertThat(sha256(peerHeard)).isEqualTo(sha256(toPeer));
  }

  @Test
  void unixIsByteExactAndTheSocketFileIsRemoved() throws Exception {
    Path socket = dir.resolve("l.sock");
    Path fromPeer = randomFile("from-peer", 300 * 1024);
    Path heard = dir.resolve("heard");
    Child wharf = wharf(null, heard, "listen", "-v", "--unix", socket.toString());
    wharf.awaitErr("listening on unix");

    Child socat = peer(fromPeer, null, "socat", "-t", "10", "-", "UNIX-CONNECT:" + socket);

    assertThat(socat.awaitExit()).isZero();
    assertThat(wharf.awaitExit()).isZero();
    assertThat(sha256(heard)).isEqualTo(sha256(fromPeer));
    assertThat(socket).doesNotExist();
  }

  @Test
  void udpWritesDatagramsAndRepliesToTheLastSender() throws Exception {
    Path heard = dir.resolve("heard");
    Path peerHeard = dir.resolve("peer-heard");
    Child wharf = wharf(null, heard, "listen", "-v", "--udp", "127.0.0.1:0");
    int port = listeningPort(wharf, "udp");
    Child socat = peer(null, peerHeard, "socat", "-", "UDP:127.0.0.1:" + port);

    try (OutputStream toSocat = socat.process().getOutputStream()) {
      toSocat.write("ping\n".getBytes(StandardCharsets.US_ASCII));
      toSocat.flush();
      awaitSize(heard, 5);
      try (OutputStream toWharf = wharf.process().getOutputStream()) {
        toWharf.write("pong\n".getBytes(StandardCharsets.US_ASCII));
        toWharf.flush();
        awaitSize(peerHeard, 5);
      }
    }
    assertThat(heard).hasContent("ping");
    assertThat(peerHeard).hasContent("pong");
    assertThat(wharf.awaitErr("datagrams from 127\\.0\\.0\\.1:\\d+")).isNotNull();
  }

  @Test
  void keepOpenServesConnectionsOneAfterAnother() throws Exception {
    Path heard = dir.resolve("heard");
    Child wharf = wharf(null, heard, "listen", "-k", "-v", "127.0.0.1:0");
    int port = listeningPort(wharf, "tcp");
    Path first = Files.writeString(dir.resolve("first"), "first\n");
    Path second = Files.writeString(dir.resolve("second"), "second\n");

    assertThat(peer(first, null, "socat", "-", "TCP:127.0.0.1:" + port).awaitExit()).isZero();
    assertThat(peer(second, null, "socat", "-", "TCP:127.0.0.1:" + port).awaitExit()).isZero();

    awaitSize(heard, "first\nsecond\n".length());
    assertThat(heard).hasContent("first\nsecond\n");
    assertThat(wharf.process().isAlive()).isTrue();
  }

  @Test
  void addressInUseIsOneLine() throws Exception {
    Child first = wharf(null, null, "listen", "-v", "127.0.0.1:0");
    int port = listeningPort(first, "tcp");

    Child second = wharf(null, null, "listen", "127.0.0.1:" + port);

    second.assertExitsWith(1, "wharf listen: address already in use: 127.0.0.1:" + port);
  }

  @Test
  void withoutKeepOpenASecondConnectionIsRefused() throws Exception {
    Child wharf = wharf(null, null, "listen", "-v", "127.0.0.1:0");
    int port = listeningPort(wharf, "tcp");
    Child firstPeer = peer(null, null, "socat", "-", "TCP:127.0.0.1:" + port);
    wharf.awaitErr("connection from");

    Child probe = wharf(null, null, "connect", "-z", "127.0.0.1", String.valueOf(port));

    assertThat(probe.awaitExit()).isEqualTo(1);
    assertThat(firstPeer.process().isAlive()).isTrue();
  }
}
