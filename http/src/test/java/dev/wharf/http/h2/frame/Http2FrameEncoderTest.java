package dev.wharf.http.h2.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame encoder: seeded random frames decode to what was written under every way of feeding
 * them, and a frame that would break RFC 9113 is refused before a byte is written.
 */
class Http2FrameEncoderTest {

  static byte[] encode(List<String> specs, Http2FrameEncoder encoder) {
    var out = ByteBuffer.allocate(64 * 1024 * specs.size());
    for (String spec : specs) {
      FrameSpecs.encode(spec, encoder, out);
    }
    byte[] bytes = new byte[out.flip().remaining()];
    out.get(bytes);
    return bytes;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomFramesDecodeToWhatWasWritten(long seed) {
    List<String> specs = FrameSpecs.random(seed, 60);
    byte[] wire = encode(specs, new Http2FrameEncoder());
    List<Frame> expected = specs.stream().map(FrameSpecs::expected).toList();
    for (List<ByteBuffer> pieces : Feed.ways(wire, 4, seed, 4096)) {
      var decoder = new Http2FrameDecoder(Http2FrameDecoder.Limits.defaults(), false);
      var listener = new RecordingFrameListener();
      pieces.forEach(piece -> decoder.decode(piece, listener));
      assertThat(listener.frames).isEqualTo(expected);
    }
  }

  @Test
  void aLongFieldBlockContinuesInContinuationFramesOfThePeersSize() {
    var encoder = new Http2FrameEncoder();
    byte[] block = new byte[40_000];
    var out = ByteBuffer.allocate(encoder.headersBytes(block.length));
    encoder.writeHeaders(out, 5, ByteBuffer.wrap(block), true);
    assertThat(out.hasRemaining()).isFalse();
    out.flip();
    var types = new ArrayList<String>();
    while (out.hasRemaining()) {
      int length = (out.get() & 0xFF) << 16 | (out.getShort() & 0xFFFF);
      int type = out.get();
      int flags = out.get();
      assertThat(out.getInt()).isEqualTo(5);
      types.add(FrameType.name(type) + " " + length + " " + flags);
      out.position(out.position() + length);
    }
    assertThat(types)
        .containsExactly("HEADERS 16384 1", "CONTINUATION 16384 0", "CONTINUATION 7232 4");
  }

  @Test
  void aDataHeaderAloneIsTheHeaderOfTheWholeFrame() {
    var encoder = new Http2FrameEncoder();
    var whole = ByteBuffer.allocate(100);
    encoder.writeData(whole, 3, ByteBuffer.wrap(new byte[] {1, 2, 3}), true);
    var split = ByteBuffer.allocate(100);
    encoder.writeDataHeader(split, 3, 3, true);
    assertThat(split.position()).isEqualTo(FrameType.HEADER_BYTES);
    split.put(new byte[] {1, 2, 3});
    assertThat(split.flip()).isEqualTo(whole.flip());
  }

  @Test
  void framesThatBreakTheRulesAreRefusedUnwritten() {
    var encoder = new Http2FrameEncoder();
    var out = ByteBuffer.allocate(40_000);
    var empty = ByteBuffer.allocate(0);
    List<Runnable> broken =
        List.of(
            () -> encoder.writeDataHeader(out, 0, 1, false), // §6.1: DATA needs a stream
            () -> encoder.writeDataHeader(out, 1, 16_385, false), // §4.2
            () -> encoder.writeData(out, 1, ByteBuffer.allocate(16_383), 1, false),
            () -> encoder.writeData(out, 1, empty, 256, false),
            () -> encoder.writeHeaders(out, 0, empty, true),
            () -> encoder.writePriority(out, 3, new Http2FrameEncoder.Priority(3, false, 16)),
            () -> encoder.writeRstStream(out, 0, ErrorCode.CANCEL),
            () -> encoder.writeWindowUpdate(out, 1, 0), // §6.9
            () -> encoder.writeGoAway(out, -1, ErrorCode.NO_ERROR, empty),
            () -> encoder.writeGoAway(out, 1, ErrorCode.NO_ERROR, ByteBuffer.allocate(16_377)),
            () -> encoder.maxFrameSize(16_383));
    for (Runnable write : broken) {
      assertThatThrownBy(write::run).isInstanceOf(IllegalArgumentException.class);
      assertThat(out.position()).isZero();
    }
    assertThatThrownBy(() -> new Http2FrameEncoder.Priority(1, false, 257))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEncoderFollowsThePeersMaxFrameSize() {
    var encoder = new Http2FrameEncoder();
    encoder.maxFrameSize(1 << 20);
    var out = ByteBuffer.allocate(encoder.headersBytes(40_000));
    encoder.writeHeaders(out, 1, ByteBuffer.allocate(40_000), false);
    assertThat(out.position()).isEqualTo(9 + 40_000);
  }
}
