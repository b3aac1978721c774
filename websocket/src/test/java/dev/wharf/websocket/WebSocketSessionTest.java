package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.CapturedLog;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.PerMessageDeflate;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The session protocol on an embedded connection with a fake clock: what it sends back, how it
 * closes, its timers.
 */
class WebSocketSessionTest {
  private final FakeClock clock = new FakeClock();
  private final RecordingListener listener = new RecordingListener();

  private EmbeddedConnection server(WebSocketConfig config, WebSocketListener l) {
    return EmbeddedConnection.of(
        clock, new WebSocketSession(config, true, l, Optional.empty(), Optional.empty()));
  }

  private EmbeddedConnection server(WebSocketConfig config) {
    return server(config, listener);
  }

  private static byte[] masked(int opcode, boolean fin, String payload) {
    return WebSocketFrameWriter.encode(
        opcode,
        fin,
        false,
        ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)),
        true,
        0x01020304);
  }

  private static byte[] unmasked(int opcode, byte[] payload) {
    return WebSocketFrameWriter.encode(opcode, true, false, ByteBuffer.wrap(payload), false, 0);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static byte[] closeFrame(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    return unmasked(
        Opcodes.CLOSE,
        ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).array());
  }

  @Test
  void echoesTextAndBinaryAndAnswersPings() {
    var conn = server(WebSocketConfig.DEFAULTS, EchoListeners.whole());
    conn.writeInbound(masked(Opcodes.TEXT, true, "héllo"));
    conn.writeInbound(masked(Opcodes.PING, true, "are you there"));
    assertThat(hex(conn.readOutbound()))
        .isEqualTo(
            hex(unmasked(Opcodes.TEXT, "héllo".getBytes(StandardCharsets.UTF_8)))
                + hex(unmasked(Opcodes.PONG, "are you there".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void aFragmentedMessageWithAPingInsideArrivesWholeByteByByte() {
    var conn = server(WebSocketConfig.DEFAULTS);
    var wire = new ByteArrayOutputStream();
    wire.writeBytes(masked(Opcodes.TEXT, false, "frag"));
    wire.writeBytes(masked(Opcodes.PING, true, "p"));
    wire.writeBytes(masked(Opcodes.CONTINUATION, false, "men"));
    wire.writeBytes(masked(Opcodes.CONTINUATION, true, "ted"));
    for (byte b : wire.toByteArray()) {
      conn.writeInbound(new byte[] {b});
    }
    assertThat(listener.events).containsExactly("open", "ping p", "text fragmented");
  }

  @Test
  void thePeersCloseIsEchoedAndTheServerClosesTheConnection() {
    var conn = server(WebSocketConfig.DEFAULTS);
    byte[] close = {0x03, (byte) 0xe9, 'b', 'y', 'e'}; // 1001 with a reason
    conn.writeInbound(
        WebSocketFrameWriter.encode(Opcodes.CLOSE, true, false, ByteBuffer.wrap(close), true, 7));
    byte[] out = conn.readOutbound();
    assertThat(hex(out)).isEqualTo(hex(unmasked(Opcodes.CLOSE, new byte[] {0x03, (byte) 0xe9})));
    assertThat(conn.isClosed()).isTrue();
    assertThat(listener.events).containsExactly("open", "close 1001 bye");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "invalid UTF-8 text, 81, 1007",
    "reserved opcode, 83, 1002",
    "RSV1 without deflate, c1, 1002",
  })
  void aViolationIsAnsweredWithACloseFrameCarryingItsCode(String rule, String firstByte, int code) {
    var conn = server(WebSocketConfig.DEFAULTS);
    byte[] frame = masked(Opcodes.TEXT, true, "x");
    frame[0] = (byte) Integer.parseInt(firstByte, 16);
    frame[frame.length - 1] ^= (byte) 0x80 ^ 'x'; // the payload byte becomes 0x80 once unmasked
    conn.writeInbound(frame);
    byte[] out = conn.readOutbound();
    assertThat(out[0]).as(rule).isEqualTo((byte) 0x88);
    assertThat(((out[2] & 0xFF) << 8) | (out[3] & 0xFF)).isEqualTo(code);
    assertThat(conn.isClosed()).isTrue();
    assertThat(listener.events).last().asString().startsWith("close " + code);
  }

  @Test
  void aMessageOverTheLimitIs1009() {
    var conn = server(WebSocketConfig.builder().maxMessageBytes(10).build());
    conn.writeInbound(masked(Opcodes.TEXT, false, "123456"));
    conn.writeInbound(masked(Opcodes.CONTINUATION, true, "789012"));
    byte[] out = conn.readOutbound();
    assertThat(((out[2] & 0xFF) << 8) | (out[3] & 0xFF)).isEqualTo(1009);
  }

  @Test
  void aSilentPeerIsPingedThenClosedWhenIdle() {
    var conn =
        server(
            WebSocketConfig.builder()
                .pingInterval(Duration.ofSeconds(30))
                .idleTimeout(Duration.ofSeconds(90))
                .build());
    // The session watches the peer itself, so the transport's idle timeout is off.
    assertThat(conn.idleTimeoutSet()).contains(Duration.ZERO);
    clock.advance(Duration.ofSeconds(29));
    conn.runPendingTasks();
    assertThat(conn.readOutbound()).as("no ping before 30 s of silence").isEmpty();
    clock.advance(Duration.ofSeconds(1));
    conn.runPendingTasks();
    assertThat(hex(conn.readOutbound())).isEqualTo(hex(unmasked(Opcodes.PING, new byte[0])));
    conn.writeInbound(masked(Opcodes.PONG, true, ""));
    clock.advance(Duration.ofSeconds(29)); // 29 s after the pong: nothing yet
    conn.runPendingTasks();
    assertThat(conn.readOutbound()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    conn.runPendingTasks();
    assertThat(hex(conn.readOutbound()))
        .as("pinged again")
        .isEqualTo(hex(unmasked(Opcodes.PING, new byte[0])));
    clock.advance(Duration.ofSeconds(30)); // 60 s after the pong: pinged again, still open
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isFalse();
    assertThat(hex(conn.readOutbound())).isEqualTo(hex(unmasked(Opcodes.PING, new byte[0])));
    clock.advance(Duration.ofSeconds(30)); // 90 s of silence since the pong
    conn.runPendingTasks();
    byte[] out = conn.readOutbound();
    assertThat(hex(out)).endsWith(hex(closeFrame(1001, "idle timeout")));
    assertThat(listener.events).contains("pong ", "close 1001 idle for 90 s");
  }

  @Test
  void ourCloseWaitsForTheAnswerThenGivesUp() {
    var conn = server(WebSocketConfig.builder().closeTimeout(Duration.ofSeconds(5)).build());
    listener.socket.close(1000, "done");
    assertThat(hex(conn.readOutbound())).isEqualTo(hex(closeFrame(1000, "done")));
    assertThat(listener.socket.isOpen()).isFalse();
    // Sent before the peer saw our Close: still delivered, as the application asked to close.
    conn.writeInbound(masked(Opcodes.TEXT, true, "late"));
    clock.advance(Duration.ofSeconds(6));
    conn.runPendingTasks();
    assertThat(conn.isClosed()).isTrue();
    assertThat(listener.events)
        .containsExactly("open", "text late", "close 1006 no answer to our Close within 5 s");
  }

  @Test
  void aListenerThatThrowsClosesWith1011AndGetsNoMoreMessages() {
    var texts = new java.util.ArrayList<String>();
    var conn =
        server(
            WebSocketConfig.DEFAULTS,
            new WebSocketListener() {
              @Override
              public void onText(WebSocket ws, String text) {
                texts.add(text);
                throw new IllegalStateException("bug");
              }
            });
    try (var log =
        CapturedLog.expect(WebSocketSession.class, Level.WARNING, IllegalStateException.class)) {
      conn.writeInbound(masked(Opcodes.TEXT, true, "boom"));
      assertThat(log.records())
          .singleElement()
          .satisfies(r -> assertThat(r.getThrown()).hasMessage("bug"));
    }
    assertThat(hex(conn.readOutbound())).isEqualTo(hex(closeFrame(1011, "internal error")));
    conn.writeInbound(masked(Opcodes.TEXT, true, "after")); // we closed for an error: dropped
    assertThat(texts).containsExactly("boom");
  }

  @Test
  void aGracefulShutdownSaysGoingAway() {
    var conn = server(WebSocketConfig.DEFAULTS);
    conn.requestShutdown();
    assertThat(hex(conn.readOutbound())).isEqualTo(hex(closeFrame(1001, "server shutting down")));
  }

  @Test
  void aClientMasksWhatItSendsAndWaitsForTheServerToClose() {
    var conn =
        EmbeddedConnection.of(
            clock,
            new WebSocketSession(
                WebSocketConfig.DEFAULTS, false, listener, Optional.empty(), Optional.empty()));
    listener.socket.sendText("hi");
    byte[] out = conn.readOutbound();
    assertThat(out[1] & 0x80).as("mask bit").isEqualTo(0x80);
    assertThat(out.length).isEqualTo(2 + 4 + 2);
    conn.writeInbound(closeFrame(1000, ""));
    assertThat(conn.isClosed()).as("a client waits for the server's FIN").isFalse();
    conn.closeInbound();
    assertThat(conn.isClosed()).isTrue();
    assertThat(listener.events).containsExactly("open", "close 1000 ");
  }

  @Test
  void compressedMessagesAreInflatedAndAnswersCompressed() {
    var agreement = PerMessageDeflate.accept(List.of("permessage-deflate"), false, false);
    var config = WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build();
    var conn =
        EmbeddedConnection.of(
            clock,
            new WebSocketSession(config, true, EchoListeners.whole(), Optional.empty(), agreement));
    var deflater = new dev.wharf.websocket.codec.MessageDeflater(6, false);
    String text = "compress me, compress me, compress me, compress me";
    ByteBuffer compressed =
        deflater.compress(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    byte[] frame =
        WebSocketFrameWriter.encode(Opcodes.TEXT, true, true, compressed, true, 0x0badf00d);
    conn.writeInbound(frame);
    byte[] out = conn.readOutbound();
    assertThat(out[0] & 0xFF).as("FIN, RSV1, text").isEqualTo(0xC1);
    assertThat(out.length).isLessThan(2 + text.length());
    deflater.close();
  }

  @Test
  void executeRunsTheTaskLaterOnTheLoopAfterWhatWasQueuedBefore() {
    var order = new java.util.ArrayList<String>();
    var opened = new WebSocket[1];
    var conn =
        server(
            WebSocketConfig.DEFAULTS,
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket ws) {
                opened[0] = ws;
              }

              @Override
              public void onText(WebSocket ws, String text) {
                ws.execute(() -> order.add("task after " + text));
                order.add("callback " + text);
              }
            });
    conn.writeInbound(masked(Opcodes.TEXT, true, "a"));
    assertThat(order).containsExactly("callback a");
    conn.runPendingTasks();
    assertThat(order).containsExactly("callback a", "task after a");
    opened[0].execute(() -> opened[0].sendText("from a task"));
    assertThat(conn.readOutbound()).isEmpty();
    conn.runPendingTasks();
    assertThat(hex(conn.readOutbound()))
        .isEqualTo(hex(unmasked(Opcodes.TEXT, "from a task".getBytes(StandardCharsets.UTF_8))));
  }
}
