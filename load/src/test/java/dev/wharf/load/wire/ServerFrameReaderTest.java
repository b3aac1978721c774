package dev.wharf.load.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generator's reader of server frames, fed in every kind of piece. */
class ServerFrameReaderTest {

  /** Records messages as "opcode/compressed/bytes". */
  private static final class Recorder implements ServerFrameReader.Sink {
    final List<String> messages = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    ByteArrayOutputStream current;
    String head;

    @Override
    public void messageStart(int opcode, boolean compressed) {
      head = opcode + "/" + compressed;
      current = new ByteArrayOutputStream();
    }

    @Override
    public void messageData(ByteBuffer data) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      current.writeBytes(b);
    }

    @Override
    public void messageEnd() {
      messages.add(head + "/" + current.size());
      payloads.add(current.toByteArray());
    }
  }

  private static void frame(ByteArrayOutputStream out, int b0, byte[] payload) {
    out.write(b0);
    int n = payload.length;
    if (n < 126) {
      out.write(n);
    } else if (n < 65536) {
      out.write(126);
      out.write(n >>> 8);
      out.write(n & 0xff);
    } else {
      out.write(127);
      out.writeBytes(ByteBuffer.allocate(8).putLong(n).array());
    }
    out.writeBytes(payload);
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] stream() {
    var out = new ByteArrayOutputStream();
    frame(out, 0x81, bytes(64, 1)); // text, 7-bit length
    frame(out, 0x89, bytes(5, 2)); // ping: skipped
    frame(out, 0x02, bytes(300, 3)); // binary, first fragment, 16-bit length
    frame(out, 0x8a, new byte[0]); // pong between fragments
    frame(out, 0x80, bytes(70_000, 4)); // final continuation, 64-bit length
    frame(out, 0xc1, bytes(10, 5)); // compressed text (RSV1)
    frame(out, 0x82, new byte[0]); // empty binary
    return out.toByteArray();
  }

  private static void assertMessages(Recorder r) {
    assertThat(r.messages).containsExactly("1/false/64", "2/false/70300", "1/true/10", "2/false/0");
    byte[] binary = r.payloads.get(1);
    assertThat(Arrays.copyOfRange(binary, 0, 300)).isEqualTo(bytes(300, 3));
    assertThat(Arrays.copyOfRange(binary, 300, binary.length)).isEqualTo(bytes(70_000, 4));
  }

  @Test
  void readsMessagesGivenWhole() throws IOException {
    var r = new Recorder();
    new ServerFrameReader(r).read(ByteBuffer.wrap(stream()));
    assertMessages(r);
  }

  @Test
  void readsMessagesGivenByteByByte() throws IOException {
    var r = new Recorder();
    var reader = new ServerFrameReader(r);
    for (byte b : stream()) {
      reader.read(ByteBuffer.wrap(new byte[] {b}));
    }
    assertMessages(r);
  }

  @Test
  void readsMessagesGivenInRandomPieces() throws IOException {
    byte[] all = stream();
    var random = new Random(42);
    for (int round = 0; round < 50; round++) {
      var r = new Recorder();
      var reader = new ServerFrameReader(r);
      int at = 0;
      while (at < all.length) {
        int n = Math.min(all.length - at, 1 + random.nextInt(3000));
        reader.read(ByteBuffer.wrap(all, at, n));
        at += n;
      }
      assertMessages(r);
    }
  }

  @Test
  void refusesCloseAndMaskedFrames() {
    var close = new ByteArrayOutputStream();
    frame(close, 0x88, new byte[] {3, (byte) 0xe8});
    assertThatThrownBy(
            () -> new ServerFrameReader(new Recorder()).read(ByteBuffer.wrap(close.toByteArray())))
        .hasMessageContaining("Close");
    byte[] masked = {(byte) 0x81, (byte) 0x81, 1, 2, 3, 4, 5};
    assertThatThrownBy(() -> new ServerFrameReader(new Recorder()).read(ByteBuffer.wrap(masked)))
        .hasMessageContaining("masked");
  }

  @Test
  void clientFramesAreMaskedAsRfc6455Says() {
    byte[] payload = "Hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] frame = WsClientCodec.frame(WsClientCodec.OP_TEXT, false, payload, 0x37fa213d);
    // RFC 6455 §5.7: a masked "Hello".
    assertThat(frame)
        .containsExactly(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    assertThat(WsClientCodec.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); // RFC 6455 §1.3
  }
}
