package dev.wharf.http.h2.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.Feed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our codec against a whole HTTP/2 endpoint: python3-h2's {@code H2Connection}. What an h2 client
 * sends (preface, SETTINGS with an extension parameter, a header block long enough for
 * CONTINUATION, padded DATA, PING, WINDOW_UPDATE, RST_STREAM, GOAWAY) decodes under every feed; and
 * an h2 server accepts what our encoder writes as a client's opening (the header block is the first
 * request of RFC 7541 §C.3.1 plus a 20,000-byte literal, hand-encoded, as HPACK is not ours to use
 * here).
 */
class H2PeerTest {
  private static final Path SCRIPT = Path.of("src/test/python/h2_peer.py");
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void whatAnH2ClientSendsDecodes() throws IOException {
    byte[] wire = HEX.parseHex(python(List.of(), "client").getFirst());
    for (Feed feed : Feed.values()) {
      var preface = new ConnectionPreface();
      var decoder = new Http2FrameDecoder(Http2FrameDecoder.Limits.defaults(), false);
      var listener = new RecordingFrameListener();
      feed.feed(
          wire,
          piece -> {
            if (!preface.isRead()) {
              preface.read(piece);
            }
            decoder.decode(piece, listener);
          });
      List<Frame> frames = listener.frames;
      assertThat(frames).as(feed.toString()).hasSize(10);
      assertThat(frames.get(0))
          .isInstanceOfSatisfying(
              Frame.Settings.class,
              s -> {
                assertThat(s.settings().get(Http2Settings.MAX_FRAME_SIZE)).hasValue(16_384);
                assertThat(s.settings().size()).isEqualTo(6); // its seventh, 0x8, is ignored
              });
      assertThat(frames.get(1))
          .isInstanceOfSatisfying(
              Frame.Headers.class,
              h -> {
                assertThat(h.streamId()).isEqualTo(1);
                assertThat(h.endStream()).isFalse();
                // 20,000 "~" take 32,500 bytes of Huffman code: HEADERS and a CONTINUATION.
                assertThat(h.block().length() / 2).isGreaterThan(16_384);
              });
      assertThat(frames.subList(2, 7))
          .containsExactly(
              new Frame.Data(1, "68656c6c6f", 5, false),
              new Frame.Data(1, "706164646564", 6 + 1 + 7, false),
              new Frame.Data(1, "", 0, true),
              new Frame.Ping(0x3132333435363738L, false),
              new Frame.WindowUpdate(0, 1000));
      assertThat(frames.get(7)).isInstanceOf(Frame.Headers.class);
      assertThat(frames.subList(8, 10))
          .containsExactly(new Frame.RstStream(3, 8), new Frame.GoAway(0, 0, "627965"));
    }
  }

  @Test
  void anH2ServerAcceptsWhatWeEncode() throws IOException {
    var encoder = new Http2FrameEncoder();
    var out = ByteBuffer.allocate(64 * 1024);
    ConnectionPreface.write(out);
    encoder.writeSettings(
        out,
        new Http2Settings()
            .set(Http2Settings.ENABLE_PUSH, 0)
            .set(Http2Settings.INITIAL_WINDOW_SIZE, 1 << 20)
            .set(Http2Settings.MAX_FRAME_SIZE, 32_768));
    encoder.writeHeaders(
        out, 1, requestBlock(), false, new Http2FrameEncoder.Priority(0, false, 32), 10);
    encoder.writeData(out, 1, ascii("hello"), 3, false);
    encoder.writeData(out, 1, ByteBuffer.allocate(0), true);
    encoder.writePing(out, 0x0102030405060708L, false);
    encoder.writeWindowUpdate(out, 0, 1000);
    encoder.writeGoAway(out, 0, ErrorCode.NO_ERROR, ascii("bye"));
    byte[] wire = new byte[out.flip().remaining()];
    out.get(wire);

    assertThat(python(List.of(HEX.formatHex(wire)), "server"))
        .containsExactly(
            "RemoteSettingsChanged 2=0,4=1048576,5=32768",
            "RequestReceived 1 :method=GET :scheme=http :path=/ :authority=www.example.com"
                + " x-big=20000*~",
            "PriorityUpdated 1 0 32 False",
            "DataReceived 1 hello 9",
            "DataReceived 1  0",
            "StreamEnded 1",
            "PingReceived 0102030405060708",
            "WindowUpdated 0 1000",
            "ConnectionTerminated 0 0 bye");
  }

  /**
   * RFC 7541 §C.3.1 (GET http://www.example.com/), then a literal field without indexing, {@code
   * x-big}, whose 20,000-byte value makes the block longer than a 16 KiB frame (§6.1: a 7-bit
   * prefix integer, 127 + 0x21 + 27·128 + 1·16384).
   */
  private static ByteBuffer requestBlock() {
    var block = ByteBuffer.allocate(30_000);
    block.put(HEX.parseHex("828684410f7777772e6578616d706c652e636f6d"));
    block.put((byte) 0x00).put((byte) 5).put(ascii("x-big"));
    block.put(HEX.parseHex("7fa19b01")).put(ascii("~".repeat(20_000)));
    return block.flip();
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static List<String> python(List<String> input, String mode) throws IOException {
    Path in = Files.createTempFile("wharf-h2-peer", ".in");
    try {
      Files.write(in, input);
      var python =
          ExternalProcess.command("/usr/bin/python3", SCRIPT.toString(), mode)
              .input(in)
              .run(Duration.ofSeconds(60));
      assertThat(python.exit()).as("python stderr: %s", python.err()).isZero();
      return python.out().lines().toList();
    } finally {
      Files.deleteIfExists(in);
    }
  }
}
