package dev.wharf.websocket.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.Feed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class WebSocketFrameReaderTest {

  record Frame(int opcode, boolean fin, boolean rsv1, String payloadHex) {}

  /** Collects frames, joining each frame's payload pieces. */
  static class RecordingSink implements WebSocketFrameReader.Sink {
    final List<Frame> frames = new ArrayList<>();
    private int opcode;
    private boolean fin;
    private boolean rsv1;
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();

    @Override
    public void frameStart(int op, boolean isFin, boolean isRsv1, long length) {
      opcode = op;
      fin = isFin;
      rsv1 = isRsv1;
      payload.reset();
    }

    @Override
    public void framePayload(ByteBuffer data) {
      byte[] bytes = new byte[data.remaining()];
      data.get(data.position(), bytes);
      payload.writeBytes(bytes);
    }

    @Override
    public void frameEnd() {
      frames.add(new Frame(opcode, fin, rsv1, HexFormat.of().formatHex(payload.toByteArray())));
    }
  }

  private static byte[] frame(int opcode, boolean fin, byte[] payload, int key) {
    return WebSocketFrameWriter.encode(opcode, fin, false, ByteBuffer.wrap(payload), true, key);
  }

  /** A random valid sequence: messages in 1-3 fragments with control frames between. */
  private static List<Object[]> randomConversation(Random random) {
    var frames = new ArrayList<Object[]>();
    for (int m = 0; m < 12; m++) {
      int fragments = 1 + random.nextInt(3);
      int opcode = random.nextBoolean() ? Opcodes.TEXT : Opcodes.BINARY;
      for (int f = 0; f < fragments; f++) {
        int[] sizes = {0, 1, 125, 126, 127, 1000, 65535, 65536, 70000};
        byte[] payload = new byte[sizes[random.nextInt(sizes.length)]];
        random.nextBytes(payload);
        frames.add(
            new Object[] {f == 0 ? opcode : Opcodes.CONTINUATION, f == fragments - 1, payload});
        if (random.nextInt(3) == 0) {
          byte[] ping = new byte[random.nextInt(126)];
          random.nextBytes(ping);
          frames.add(new Object[] {Opcodes.PING, true, ping});
        }
      }
    }
    return frames;
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void readsWhatTheWriterWroteUnderEveryFeed(Feed feed) {
    var random = new Random(3);
    List<Object[]> conversation = randomConversation(random);
    var wire = new ByteArrayOutputStream();
    var expected = new ArrayList<Frame>();
    for (Object[] f : conversation) {
      byte[] payload = (byte[]) f[2];
      wire.writeBytes(frame((int) f[0], (boolean) f[1], payload, random.nextInt()));
      expected.add(new Frame((int) f[0], (boolean) f[1], false, HexFormat.of().formatHex(payload)));
    }
    var reader = new WebSocketFrameReader(true, 1 << 20);
    var sink = new RecordingSink();
    feed.feed(wire.toByteArray(), piece -> reader.decode(piece, sink));
    assertThat(sink.frames).isEqualTo(expected);
    assertThat(reader.isIdle()).isTrue();
  }

  /**
   * Frames of every length 0..200 back to back, so each payload starts at another alignment in the
   * input and the feed splits it at other key phases: each is unmasked exactly.
   */
  @ParameterizedTest
  @EnumSource(Feed.class)
  void everyPayloadLengthUpTo200IsUnmaskedUnderEveryFeed(Feed feed) {
    var random = new Random(200);
    var wire = new ByteArrayOutputStream();
    var expected = new ArrayList<Frame>();
    for (int length = 0; length <= 200; length++) {
      byte[] payload = new byte[length];
      random.nextBytes(payload);
      wire.writeBytes(frame(Opcodes.BINARY, true, payload, random.nextInt()));
      expected.add(new Frame(Opcodes.BINARY, true, false, HexFormat.of().formatHex(payload)));
    }
    var reader = new WebSocketFrameReader(true, 1 << 20);
    var sink = new RecordingSink();
    feed.feed(wire.toByteArray(), piece -> reader.decode(piece, sink));
    assertThat(sink.frames).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void aClientReadsUnmaskedFramesWithEveryLengthEncoding(Feed feed) {
    var wire = new ByteArrayOutputStream();
    var expected = new ArrayList<Frame>();
    for (int n : new int[] {0, 125, 126, 65535, 65536}) {
      byte[] payload = new byte[n];
      java.util.Arrays.fill(payload, (byte) 'x');
      wire.writeBytes(
          WebSocketFrameWriter.encode(
              Opcodes.BINARY, true, false, ByteBuffer.wrap(payload), false, 0));
      expected.add(new Frame(Opcodes.BINARY, true, false, HexFormat.of().formatHex(payload)));
    }
    var reader = new WebSocketFrameReader(false, 1 << 20);
    var sink = new RecordingSink();
    feed.feed(wire.toByteArray(), piece -> reader.decode(piece, sink));
    assertThat(sink.frames).isEqualTo(expected);
  }

  static Stream<Arguments> violations() {
    byte[] five = {1, 2, 3, 4, 5};
    return Stream.of(
        Arguments.of("RSV2 set", bytes(0xA1, 0x80, 0, 0, 0, 0), 1002),
        Arguments.of("RSV3 set", bytes(0x91, 0x80, 0, 0, 0, 0), 1002),
        Arguments.of("RSV1 without deflate", bytes(0xC1, 0x80, 0, 0, 0, 0), 1002),
        Arguments.of("reserved data opcode 3", bytes(0x83, 0x80, 0, 0, 0, 0), 1002),
        Arguments.of("reserved control opcode 11", bytes(0x8B, 0x80, 0, 0, 0, 0), 1002),
        Arguments.of("fragmented ping", bytes(0x09, 0x80, 0, 0, 0, 0), 1002),
        Arguments.of(
            "ping of 126 bytes",
            concat(bytes(0x89, 0xFE, 0, 126, 0, 0, 0, 0), new byte[126]),
            1002),
        Arguments.of("continuation with nothing to continue", bytes(0x80, 0x80, 0, 0, 0, 0), 1002),
        Arguments.of(
            "text inside a fragmented message",
            concat(bytes(0x01, 0x80, 0, 0, 0, 0), bytes(0x81, 0x80, 0, 0, 0, 0)),
            1002),
        Arguments.of("unmasked client frame", concat(bytes(0x82, 0x05), five), 1002),
        Arguments.of(
            "16-bit length under 126", concat(bytes(0x82, 0xFE, 0, 5, 0, 0, 0, 0), five), 1002),
        Arguments.of(
            "64-bit length under 65536",
            concat(bytes(0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0), five),
            1002),
        Arguments.of(
            "64-bit length with its top bit set",
            bytes(0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            1002),
        Arguments.of(
            "frame over the size limit",
            bytes(0x82, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 0),
            1009));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void eachFramingViolationIsAnsweredWithItsCloseCode(String rule, byte[] wire, int code) {
    for (Feed feed : Feed.values()) {
      var reader = new WebSocketFrameReader(true, 1 << 20);
      var sink = new RecordingSink();
      assertThatThrownBy(() -> feed.feed(wire, piece -> reader.decode(piece, sink)))
          .as("%s fed %s", rule, feed)
          .isInstanceOfSatisfying(
              WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(code));
      assertThatThrownBy(() -> reader.decode(ByteBuffer.allocate(1), sink))
          .as("a failed reader refuses more input")
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void aCompressedFirstFrameIsAllowedOnceDeflateIsAgreedButNotOnContinuations(Feed feed) {
    var reader = new WebSocketFrameReader(true, 1 << 20);
    reader.allowCompression(true);
    var sink = new RecordingSink();
    feed.feed(bytes(0x41, 0x80, 0, 0, 0, 0), piece -> reader.decode(piece, sink));
    assertThat(sink.frames).containsExactly(new Frame(Opcodes.TEXT, false, true, ""));
    assertThatThrownBy(() -> feed.feed(bytes(0xC0, 0x80, 0, 0, 0, 0), p -> reader.decode(p, sink)))
        .isInstanceOfSatisfying(
            WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1002));
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void stopLeavesWhatFollowsACloseFrameUnread(Feed feed) {
    var reader = new WebSocketFrameReader(true, 1 << 20);
    var sink =
        new RecordingSink() {
          @Override
          public void frameEnd() {
            super.frameEnd();
            reader.stop();
          }
        };
    byte[] wire =
        concat(
            frame(Opcodes.CLOSE, true, bytes(0x03, 0xE8), 1),
            frame(Opcodes.TEXT, true, bytes('x'), 2));
    feed.feed(wire, piece -> reader.decode(piece, sink));
    assertThat(sink.frames).containsExactly(new Frame(Opcodes.CLOSE, true, false, "03e8"));
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
