package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.MemoryBudget;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Messages that span reads are gathered in arrays the loop lends ({@link GatherBuffers}): they
 * arrive whole and intact, the array goes back when the message has been delivered (or the
 * connection ends), a listener never sees one array change under it when it was promised its own,
 * and a connection between messages holds none. The test thread plays the event loop, so the pool
 * here is the test thread's.
 */
class GatheredMessagesTest {
  private static final int SIZE = 64 * 1024;

  private final FakeClock clock = new FakeClock();
  private final GatherBuffers pool = GatherBuffers.forThisThread();

  private EmbeddedConnection server(WebSocketConfig config, WebSocketListener listener) {
    return EmbeddedConnection.of(
        clock, new WebSocketSession(config, true, listener, Optional.empty(), Optional.empty()));
  }

  /** A payload whose every byte depends on {@code seed}, so a mix of two messages shows. */
  private static byte[] payload(int seed, int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i * 31 + seed * 17 + (i >>> 8));
    }
    return bytes;
  }

  private static byte[] maskedFrame(int opcode, boolean fin, byte[] payload) {
    return WebSocketFrameWriter.encode(
        opcode, fin, false, ByteBuffer.wrap(payload), true, 0x5A17C0DE);
  }

  /**
   * The frame in reads of at most {@code read} bytes, each a direct buffer as the loop lends, until
   * the server closes.
   */
  private static void feed(EmbeddedConnection conn, byte[] wire, int read) {
    for (int at = 0; at < wire.length && !conn.isClosed(); at += read) {
      int n = Math.min(read, wire.length - at);
      conn.writeInbound(ByteBuffer.allocateDirect(n).put(wire, at, n).flip());
    }
  }

  private static byte[] bytes(ByteBuffer data) {
    byte[] out = new byte[data.remaining()];
    data.get(data.position(), out);
    return out;
  }

  @Test
  void splitMessagesArriveWholeAndReuseOneLentArray() {
    var received = new ArrayList<byte[]>();
    var conn =
        server(
            WebSocketConfig.DEFAULTS,
            new WebSocketListener() {
              @Override
              public void onBinary(WebSocket ws, ByteBuffer data) {
                assertThat(data.capacity()).as("only the message is visible").isEqualTo(SIZE);
                received.add(bytes(data));
              }
            });
    pool.giveBack(pool.take(SIZE)); // one array of the class in the pool, whatever ran before
    long allocatedBefore = pool.allocatedCount();
    long retainedBefore = pool.retainedBytes();
    for (int i = 0; i < 20; i++) {
      feed(conn, maskedFrame(Opcodes.BINARY, true, payload(i, SIZE)), 16 * 1024 + i);
    }
    assertThat(received).hasSize(20);
    for (int i = 0; i < 20; i++) {
      assertThat(received.get(i)).as("message %d", i).isEqualTo(payload(i, SIZE));
    }
    assertThat(pool.allocatedCount()).as("arrays allocated").isEqualTo(allocatedBefore);
    assertThat(pool.retainedBytes())
        .as("the array is back between messages")
        .isEqualTo(retainedBefore);
  }

  @Test
  void fragmentedTextAndTextFromADirectReadBufferArriveIntact() {
    var texts = new ArrayList<String>();
    var conn =
        server(
            WebSocketConfig.DEFAULTS,
            new WebSocketListener() {
              @Override
              public void onText(WebSocket ws, String text) {
                texts.add(text);
              }
            });
    String big = "héllo wörld ".repeat(1000); // 14,000 bytes, in three fragments
    byte[] utf8 = big.getBytes(StandardCharsets.UTF_8);
    int third = utf8.length / 3;
    feed(conn, maskedFrame(Opcodes.TEXT, false, java.util.Arrays.copyOfRange(utf8, 0, third)), 999);
    feed(
        conn,
        maskedFrame(
            Opcodes.CONTINUATION, false, java.util.Arrays.copyOfRange(utf8, third, 2 * third)),
        1000);
    feed(
        conn,
        maskedFrame(
            Opcodes.CONTINUATION, true, java.util.Arrays.copyOfRange(utf8, 2 * third, utf8.length)),
        1001);
    byte[] small = "ünïcödé in one read".getBytes(StandardCharsets.UTF_8);
    feed(conn, maskedFrame(Opcodes.TEXT, true, small), 1000); // one read: no gathering
    assertThat(texts).containsExactly(big, "ünïcödé in one read");
  }

  @Test
  void aListenerOnAVirtualThreadKeepsItsOwnCopy() throws InterruptedException {
    var kept = new CopyOnWriteArrayList<ByteBuffer>();
    var allKept = new CountDownLatch(5);
    var conn =
        server(
            WebSocketConfig.builder().dispatch(WebSocketConfig.Dispatch.VIRTUAL_THREAD).build(),
            new WebSocketListener() {
              @Override
              public void onBinary(WebSocket ws, ByteBuffer data) {
                kept.add(data); // kept past the call, as a listener on its own thread may
                allKept.countDown();
              }
            });
    for (int i = 0; i < 5; i++) {
      feed(conn, maskedFrame(Opcodes.BINARY, true, payload(i, SIZE)), 20_000);
    }
    // The listener's thread hands "resume reading" tasks to the connection; they are not run
    // here, as the embedded connection's task queue is the test thread's.
    assertThat(allKept.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kept).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(bytes(kept.get(i))).as("message %d", i).isEqualTo(payload(i, SIZE));
    }
  }

  @Test
  void aBufferSentBackWhileAStreamIsGoingOutIsCopiedBeforeItsArrayIsReused() throws Exception {
    var stream = new OutputStream[1];
    var conn =
        server(
            WebSocketConfig.DEFAULTS,
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket ws) {
                stream[0] = ws.sendStream(MessageType.TEXT); // later sends wait for its end
              }

              @Override
              public void onBinary(WebSocket ws, ByteBuffer data) {
                ws.sendBinary(data);
              }
            });
    feed(conn, maskedFrame(Opcodes.BINARY, true, payload(1, SIZE)), 30_000);
    feed(conn, maskedFrame(Opcodes.BINARY, true, payload(2, SIZE)), 30_000); // reuses the array
    assertThat(conn.readOutbound()).as("held behind the stream").isEmpty();
    stream[0].close();
    ByteBuffer out = ByteBuffer.wrap(conn.readOutbound());
    List<byte[]> echoed = new ArrayList<>();
    while (out.hasRemaining()) {
      int first = out.get() & 0xFF;
      int len7 = out.get() & 0x7F;
      long length = len7 == 127 ? out.getLong() : len7 == 126 ? out.getShort() & 0xFFFF : len7;
      byte[] body = new byte[(int) length];
      out.get(body);
      if ((first & 0x0F) == Opcodes.BINARY) {
        echoed.add(body);
      }
    }
    assertThat(echoed).hasSize(2);
    assertThat(echoed.get(0)).isEqualTo(payload(1, SIZE));
    assertThat(echoed.get(1)).isEqualTo(payload(2, SIZE));
  }

  @Test
  void aMessageCutShortByTheConnectionClosingGivesItsArrayBack() {
    var conn = server(WebSocketConfig.DEFAULTS, new WebSocketListener() {});
    byte[] wire = maskedFrame(Opcodes.BINARY, true, payload(3, SIZE));
    conn.writeInbound(ByteBuffer.allocateDirect(40_000).put(wire, 0, 40_000).flip());
    long whileGathering = pool.retainedBytes();
    conn.closeInbound();
    assertThat(conn.isClosed()).isTrue();
    assertThat(pool.retainedBytes() - whileGathering).isEqualTo(SIZE);
  }

  @Test
  void aListenerThatDropsTheConnectionFromItsCallbackDoesNotReturnTheArrayTwice() {
    var conn =
        server(
            WebSocketConfig.DEFAULTS,
            new WebSocketListener() {
              @Override
              public void onBinary(WebSocket ws, ByteBuffer data) {
                ws.abort(); // closes the connection before the callback returns
              }
            });
    feed(conn, maskedFrame(Opcodes.BINARY, true, payload(4, SIZE)), 30_000);
    assertThat(conn.isClosed()).isTrue();
    byte[] a = pool.take(SIZE);
    byte[] b = pool.take(SIZE);
    assertThat(a).isNotSameAs(b);
    pool.giveBack(a);
    pool.giveBack(b);
  }

  /** The close code a server sent, or -1 if its output holds no Close frame first. */
  private static int closeCode(byte[] out) {
    return out.length >= 4 && (out[0] & 0xFF) == 0x88
        ? ((out[2] & 0xFF) << 8) | (out[3] & 0xFF)
        : -1;
  }

  @Test
  void unfinishedMessagesShareOneBudgetAndThePeerPastItGets1009() {
    var budget = MemoryBudget.of(1 << 20);
    var config = WebSocketConfig.builder().memoryBudget(budget).build();
    int part = 200 * 1024; // gathered in a 256 KiB array: four fit in the budget
    var holding = new ArrayList<EmbeddedConnection>();
    EmbeddedConnection refused = null;
    for (int i = 0; i < 10 && refused == null; i++) {
      var conn = server(config, EchoListeners.whole());
      feed(conn, maskedFrame(Opcodes.BINARY, false, payload(i, part)), 64 * 1024);
      if (conn.isClosed()) {
        refused = conn;
      } else {
        holding.add(conn);
      }
    }
    assertThat(holding).hasSize(4);
    assertThat(refused).isNotNull();
    assertThat(closeCode(refused.readOutbound())).isEqualTo(1009);
    assertThat(budget.reservedBytes()).isEqualTo(1 << 20);

    // Dropped mid-message, they give it all back: a leak would slowly refuse everyone.
    holding.forEach(conn -> conn.close(dev.wharf.core.CloseReason.PEER));
    assertThat(budget.reservedBytes()).isZero();

    var honest = server(config, EchoListeners.whole());
    byte[] message = payload(99, 2 * part);
    feed(honest, maskedFrame(Opcodes.BINARY, false, java.util.Arrays.copyOf(message, part)), 4096);
    feed(
        honest,
        maskedFrame(
            Opcodes.CONTINUATION, true, java.util.Arrays.copyOfRange(message, part, 2 * part)),
        4096);
    byte[] echoed = honest.readOutbound();
    assertThat(echoed[0] & 0xFF).as("FIN, binary").isEqualTo(0x82);
    assertThat(java.util.Arrays.copyOfRange(echoed, echoed.length - message.length, echoed.length))
        .isEqualTo(message);
    assertThat(budget.reservedBytes()).as("released once delivered").isZero();
  }
}
