package dev.wharf.cli.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.websocket.codec.WebSocketException;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which endings of a {@code wharf ws} connection are a success, and the line told otherwise. */
class WsEndingTest {

  @Test
  void aNormalCloseFromEitherSideIsClean() {
    assertThat(new WsEnding(1000, "", false, null).isClean()).isTrue();
    assertThat(new WsEnding(1005, "", false, null).isClean()).isTrue();
    // We closed (stdin ended): whatever code the peer answers with, the handshake completed.
    assertThat(new WsEnding(1001, "", true, null).isClean()).isTrue();
  }

  @Test
  void anythingElseIsAFailureWithOneLine() {
    var closed = new WsEnding(4001, "bye", false, null);
    assertThat(closed.isClean()).isFalse();
    assertThat(closed.problem()).isEqualTo("closed by the peer with 4001: \"bye\"");
    assertThat(new WsEnding(1011, "", false, null).problem())
        .isEqualTo("closed by the peer with 1011 (internal error)");

    var lost = new WsEnding(1006, "no answer to our Close within 5 s", true, null);
    assertThat(lost.isClean()).isFalse();
    assertThat(lost.problem()).isEqualTo("connection lost: no answer to our Close within 5 s");

    var reset = new WsEnding(1006, "", false, new IOException("Connection reset"));
    assertThat(reset.problem()).isEqualTo("connection lost: connection reset");

    var broken =
        new WsEnding(1002, "", false, WebSocketException.protocolError("unmasked client frame"));
    assertThat(broken.problem())
        .isEqualTo(
            "the peer broke the protocol: unmasked client frame (we closed with 1002 (protocol"
                + " error))");

    var stdout =
        new WsEnding(1006, "", false, new MessagePipe.StdoutFailed(new IOException("Broken pipe")));
    assertThat(stdout.problem()).isEqualTo("cannot write to stdout: broken pipe");
  }

  @Test
  void reconnectsWaitLongerEachTimeUpToEightSeconds() {
    assertThat(WsDial.delay(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(WsDial.delay(2)).isEqualTo(Duration.ofSeconds(1));
    assertThat(WsDial.delay(5)).isEqualTo(Duration.ofSeconds(8));
    assertThat(WsDial.delay(50)).isEqualTo(Duration.ofSeconds(8));
  }
}
