package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A session between messages holds no frame reader or message assembler: its loop lends a spare
 * pair to whichever session is reading ({@link SpareReaders}) and takes it back at rest; a session
 * in the middle of a frame or of a fragmented message keeps its own. Sessions of one loop (here the
 * test thread) interleaved that way each get their own messages, whole. A quiet session on the
 * event loop holds no dispatcher either.
 */
class LentReadersTest {
  private final FakeClock clock = new FakeClock();

  private record Session(EmbeddedConnection conn, WebSocketSession session, List<String> texts) {}

  private Session open() {
    var texts = new ArrayList<String>();
    var session =
        new WebSocketSession(
            WebSocketConfig.DEFAULTS,
            true,
            new WebSocketListener() {
              @Override
              public void onText(WebSocket ws, String text) {
                texts.add(text);
              }
            },
            Optional.empty(),
            Optional.empty());
    return new Session(EmbeddedConnection.of(clock, session), session, texts);
  }

  private static byte[] frame(int opcode, boolean fin, String text) {
    return WebSocketFrameWriter.encode(
        opcode,
        fin,
        false,
        ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)),
        true,
        0x1234ABCD);
  }

  private static void feed(Session s, byte[] bytes, int from, int to) {
    s.conn().writeInbound(ByteBuffer.wrap(bytes, from, to - from).slice());
  }

  @Test
  void interleavedSessionsOfOneLoopEachGetTheirOwnMessages() {
    Session a = open();
    Session b = open();
    assertThat(a.session().holdsReader()).as("before any byte").isFalse();

    byte[] half = frame(Opcodes.TEXT, true, "alpha, split across reads");
    feed(a, half, 0, 9); // a is inside a frame: it keeps its reader
    assertThat(a.session().holdsReader()).isTrue();

    byte[] whole = frame(Opcodes.TEXT, true, "bravo");
    feed(b, whole, 0, whole.length);
    assertThat(b.texts()).containsExactly("bravo");
    assertThat(b.session().holdsReader()).as("at rest after a whole message").isFalse();

    byte[] first = frame(Opcodes.TEXT, false, "char");
    feed(b, first, 0, first.length); // b is inside a fragmented message: it keeps its reader
    assertThat(b.session().holdsReader()).isTrue();

    feed(a, half, 9, half.length);
    assertThat(a.texts()).containsExactly("alpha, split across reads");
    assertThat(a.session().holdsReader()).isFalse();

    byte[] last = frame(Opcodes.CONTINUATION, true, "lie");
    feed(b, last, 0, last.length);
    assertThat(b.texts()).containsExactly("bravo", "charlie");
    assertThat(b.session().holdsReader()).isFalse();

    for (int i = 0; i < 5; i++) {
      byte[] m = frame(Opcodes.TEXT, true, "a" + i);
      byte[] n = frame(Opcodes.TEXT, true, "b" + i);
      feed(a, m, 0, m.length);
      feed(b, n, 0, n.length);
    }
    assertThat(a.texts()).hasSize(6).endsWith("a0", "a1", "a2", "a3", "a4");
    assertThat(b.texts()).hasSize(7).endsWith("b0", "b1", "b2", "b3", "b4");
    assertThat(a.session().holdsDispatcher()).as("event-loop listener, nothing queued").isFalse();
  }

  @Test
  void aPingBetweenMessagesIsAnsweredAndLeavesNoReadStateBehind() {
    Session a = open();
    a.conn().readOutbound(); // nothing sent on open, but clear anyway
    byte[] ping = frame(Opcodes.PING, true, "hi");
    feed(a, ping, 0, ping.length);
    byte[] pong = a.conn().readOutbound();
    assertThat(pong[0] & 0x0F).isEqualTo(Opcodes.PONG);
    assertThat(new String(pong, 2, pong.length - 2, StandardCharsets.UTF_8)).isEqualTo("hi");
    assertThat(a.session().holdsReader()).isFalse();
  }
}
