package dev.wharf.cli.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf sockets --follow PORT | head -1} and {@code --watch | head -1}: once the reader is
 * gone, the next write fails and the command ends quietly (it followed forever, writing into a
 * closed pipe).
 */
class SocketsClosedStdoutIT extends EndToEnd {

  @Test
  void followEndsAtItsFirstWriteAfterStdoutCloses() throws Exception {
    try (var listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = listener.getLocalPort();
      Child follow =
          wharf(null, null, "sockets", "--follow", Integer.toString(port), "--interval", "0.02");
      readOneLineAndClose(follow, ":" + port);

      // A new connection is a change --follow writes, into the closed pipe.
      try (var client = new Socket(InetAddress.getLoopbackAddress(), port)) {
        assertThat(client.isConnected()).isTrue();
        assertThat(follow.awaitExit(Duration.ofSeconds(20))).isZero();
      }
      assertThat(follow.errLines()).isEmpty();
    }
  }

  @Test
  void watchEndsAtItsFirstFrameAfterStdoutCloses() throws Exception {
    try (var listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = listener.getLocalPort();
      Child watch =
          wharf(null, null, "sockets", "-lt", "--watch", "--interval", "0.1", "--sport", "" + port);
      readOneLineAndClose(watch, "Every");

      assertThat(watch.awaitExit(Duration.ofSeconds(20))).isZero();
      assertThat(watch.errLines()).isEmpty();
    }
  }

  /** What {@code head -1} does: reads a line, then closes its end of the pipe. */
  private static void readOneLineAndClose(Child child, String expected) throws Exception {
    try (var stdout =
        new BufferedReader(
            new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(stdout.readLine()).contains(expected);
    }
  }
}
