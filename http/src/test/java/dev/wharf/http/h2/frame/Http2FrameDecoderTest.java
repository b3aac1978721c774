package dev.wharf.http.h2.frame;

import static dev.wharf.http.h2.frame.FrameType.CONTINUATION;
import static dev.wharf.http.h2.frame.FrameType.DATA;
import static dev.wharf.http.h2.frame.FrameType.FLAG_ACK;
import static dev.wharf.http.h2.frame.FrameType.FLAG_END_HEADERS;
import static dev.wharf.http.h2.frame.FrameType.FLAG_END_STREAM;
import static dev.wharf.http.h2.frame.FrameType.FLAG_PADDED;
import static dev.wharf.http.h2.frame.FrameType.FLAG_PRIORITY;
import static dev.wharf.http.h2.frame.FrameType.GOAWAY;
import static dev.wharf.http.h2.frame.FrameType.HEADERS;
import static dev.wharf.http.h2.frame.FrameType.PING;
import static dev.wharf.http.h2.frame.FrameType.PRIORITY;
import static dev.wharf.http.h2.frame.FrameType.PUSH_PROMISE;
import static dev.wharf.http.h2.frame.FrameType.RST_STREAM;
import static dev.wharf.http.h2.frame.FrameType.SETTINGS;
import static dev.wharf.http.h2.frame.FrameType.WINDOW_UPDATE;
import static dev.wharf.http.h2.frame.RawFrames.concat;
import static dev.wharf.http.h2.frame.RawFrames.frame;
import static dev.wharf.http.h2.frame.RawFrames.hex;
import static dev.wharf.http.h2.frame.RawFrames.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The frame decoder under every feed: each frame type read as RFC 9113 §6 lays it out, and each
 * broken rule answered with its exact error code and scope.
 */
class Http2FrameDecoderTest {
  private static final Http2FrameDecoder.Limits LIMITS = Http2FrameDecoder.Limits.defaults();

  static List<Frame> decode(byte[] input, Feed feed) {
    return decode(input, feed, new Http2FrameDecoder(LIMITS, false));
  }

  static List<Frame> decode(byte[] input, Feed feed, Http2FrameDecoder decoder) {
    var listener = new RecordingFrameListener();
    feed.feed(input, piece -> decoder.decode(piece, listener));
    assertThat(decoder.isIdle()).as("idle after whole frames").isTrue();
    return listener.frames;
  }

  /** The error decoding {@code input} ends in, under every feed alike. */
  static Http2Exception failure(byte[] input, Http2FrameDecoder.Limits limits, boolean push) {
    Http2Exception first = null;
    for (Feed feed : Feed.values()) {
      var decoder = new Http2FrameDecoder(limits, push);
      var listener = new RecordingFrameListener();
      Http2Exception thrown = null;
      try {
        feed.feed(input, piece -> decoder.decode(piece, listener));
      } catch (Http2Exception e) {
        thrown = e;
      }
      assertThat(thrown).as("failure under %s", feed).isNotNull();
      assertThatThrownBy(() -> decoder.decode(ByteBuffer.allocate(1), listener))
          .as("a failed decoder refuses more input")
          .isInstanceOf(IllegalStateException.class);
      if (first == null) {
        first = thrown;
      } else {
        assertThat(thrown.code()).as(feed.toString()).isEqualTo(first.code());
        assertThat(thrown.streamId()).as(feed.toString()).isEqualTo(first.streamId());
      }
    }
    return first;
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void everyFrameTypeIsReadAsLaidOut(Feed feed) {
    byte[] input =
        concat(
            frame(SETTINGS, 0, 0, hex("0001 00001000 0004 0000ffff 00ff 00000001")),
            frame(SETTINGS, FLAG_ACK, 0, new byte[0]),
            frame(DATA, FLAG_END_STREAM, 1, hex("68656c6c6f")),
            frame(HEADERS, FLAG_END_HEADERS, 3, hex("8287")),
            frame(PRIORITY, 0, 5, hex("80000003 0f")),
            frame(RST_STREAM, 0, 7, hex("00000008")),
            frame(PING, 0, 0, hex("0102030405060708")),
            frame(PING, FLAG_ACK, 0, hex("0102030405060708")),
            frame(GOAWAY, 0, 0, hex("80000009 0000000b 627965")),
            frame(WINDOW_UPDATE, 0, 0, hex("80000400")),
            frame(WINDOW_UPDATE, 0, 9, hex("00000001")));
    assertThat(decode(input, feed))
        .containsExactly(
            new Frame.Settings(
                new Http2Settings()
                    .set(Http2Settings.HEADER_TABLE_SIZE, 4096)
                    .set(Http2Settings.INITIAL_WINDOW_SIZE, 65535)),
            new Frame.SettingsAck(),
            new Frame.Data(1, "68656c6c6f", 5, true),
            new Frame.Headers(3, "8287", false),
            new Frame.Priority(5, 3, true, 16),
            new Frame.RstStream(7, 8),
            new Frame.Ping(0x0102030405060708L, false),
            new Frame.Ping(0x0102030405060708L, true),
            // RFC 9113 §6.8, §6.9: the reserved bit before a stream id or increment is ignored.
            new Frame.GoAway(9, 0xb, "627965"),
            new Frame.WindowUpdate(0, 1024),
            new Frame.WindowUpdate(9, 1));
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void paddingIsRemovedButCountsForFlowControl(Feed feed) {
    byte[] input =
        concat(
            settings(),
            frame(DATA, FLAG_PADDED, 1, hex("03 6869 000000")),
            frame(DATA, FLAG_PADDED | FLAG_END_STREAM, 1, hex("00")),
            frame(DATA, 0, 1, new byte[0]));
    assertThat(decode(input, feed))
        .containsExactly(
            new Frame.Settings(new Http2Settings()),
            new Frame.Data(1, "6869", 6, false),
            new Frame.Data(1, "", 1, true),
            new Frame.Data(1, "", 0, false));
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void headersLosePaddingAndPriorityAndGatherTheirContinuations(Feed feed) {
    byte[] input =
        concat(
            settings(),
            frame(
                HEADERS,
                FLAG_PADDED | FLAG_PRIORITY | FLAG_END_STREAM | FLAG_END_HEADERS,
                1,
                hex("02 00000000 ff aabb 0000")),
            frame(HEADERS, FLAG_END_STREAM, 3, hex("01 02")),
            frame(CONTINUATION, 0, 3, new byte[0]),
            frame(CONTINUATION, 0, 3, hex("03")),
            frame(CONTINUATION, FLAG_END_HEADERS, 3, hex("0405")));
    assertThat(decode(input, feed))
        .containsExactly(
            new Frame.Settings(new Http2Settings()),
            new Frame.Headers(1, "aabb", true),
            new Frame.Headers(3, "0102030405", true));
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void unknownFramesAndSettingsAreIgnored(Feed feed) {
    byte[] input =
        concat(
            frame(SETTINGS, 0, 0, hex("0008 00000001 0003 00000064 0009 00000001")),
            frame(0x0a, 0xff, 0, hex("00112233")),
            frame(0xfe, 0, 77, new byte[0]),
            frame(PING, 0, 0, hex("0000000000000001")));
    assertThat(decode(input, feed))
        .containsExactly(
            new Frame.Settings(new Http2Settings().set(Http2Settings.MAX_CONCURRENT_STREAMS, 100)),
            new Frame.Ping(1, false));
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void pushPromiseIsReadOnlyWhereEnabled(Feed feed) {
    byte[] input =
        concat(
            settings(),
            frame(PUSH_PROMISE, FLAG_PADDED, 1, hex("01 00000002 82 00")),
            frame(CONTINUATION, FLAG_END_HEADERS, 1, hex("87")));
    assertThat(decode(input, feed, new Http2FrameDecoder(LIMITS, true)))
        .containsExactly(
            new Frame.Settings(new Http2Settings()), new Frame.PushPromise(1, 2, "8287"));
  }

  @Test
  void goAwayDebugDataIsCutAtTheLimit() {
    var limits = new Http2FrameDecoder.Limits(16_384, 1024, 4, 3);
    byte[] input = concat(settings(), frame(GOAWAY, 0, 0, hex("00000001 00000000 6162636465")));
    for (Feed feed : Feed.values()) {
      assertThat(decode(input, feed, new Http2FrameDecoder(limits, false)))
          .last()
          .isEqualTo(new Frame.GoAway(1, 0, "616263"));
    }
  }

  @Test
  void aWholeFrameIsLentFromTheInputWithoutACopy() {
    byte[] input = concat(settings(), frame(DATA, 0, 1, hex("01020304")));
    var lent = new ArrayList<ByteBuffer>();
    var listener =
        new RecordingFrameListener() {
          @Override
          public void onData(int streamId, ByteBuffer data, int flow, boolean endStream) {
            lent.add(data);
          }
        };
    ByteBuffer whole = ByteBuffer.wrap(input);
    new Http2FrameDecoder(LIMITS, false).decode(whole, listener);
    assertThat(lent).singleElement().satisfies(data -> assertThat(data.array()).isSameAs(input));
  }

  @Test
  void aLargerMaxFrameSizeAdmitsLargerFrames() {
    byte[] big = frame(DATA, 0, 1, new byte[20_000]);
    var decoder = new Http2FrameDecoder(LIMITS, false);
    decoder.decode(ByteBuffer.wrap(settings()), new RecordingFrameListener());
    decoder.maxFrameSize(20_000);
    assertThat(decode(big, Feed.RANDOM_SPLITS_1, decoder))
        .singleElement()
        .isEqualTo(new Frame.Data(1, "00".repeat(20_000), 20_000, false));
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void aStreamErrorEndsTheFrameNotTheDecoder(Feed feed) {
    byte[] input =
        concat(
            settings(),
            frame(PRIORITY, 0, 1, hex("00000003")), // 4 bytes, not 5
            frame(PRIORITY, 0, 3, hex("00000003 10")), // depends on itself
            frame(HEADERS, FLAG_PRIORITY | FLAG_END_HEADERS, 5, hex("00000005 10 82")),
            frame(WINDOW_UPDATE, 0, 7, hex("00000000")),
            frame(PING, 0, 0, hex("0000000000000002")));
    assertThat(decode(input, feed))
        .containsExactly(
            new Frame.Settings(new Http2Settings()),
            new Frame.StreamError(1, ErrorCode.FRAME_SIZE_ERROR),
            new Frame.StreamError(3, ErrorCode.PROTOCOL_ERROR),
            // RFC 9113 §5.3.1: the block still reaches HPACK, then the stream is reset.
            new Frame.Headers(5, "82", false),
            new Frame.StreamError(5, ErrorCode.PROTOCOL_ERROR),
            new Frame.StreamError(7, ErrorCode.PROTOCOL_ERROR),
            new Frame.Ping(2, false));
  }

  @Test
  void aListenerMayThrowAStreamErrorAndDecodingResumesAfterTheFrame() {
    byte[] input = concat(settings(), frame(DATA, 0, 1, hex("aa")), frame(DATA, 0, 3, hex("bb")));
    var decoder = new Http2FrameDecoder(LIMITS, false);
    var listener =
        new RecordingFrameListener() {
          @Override
          public void onData(int streamId, ByteBuffer data, int flow, boolean endStream) {
            if (streamId == 1) {
              throw Http2Exception.streamError(1, ErrorCode.STREAM_CLOSED, "closed");
            }
            super.onData(streamId, data, flow, endStream);
          }
        };
    ByteBuffer in = ByteBuffer.wrap(input);
    assertThatThrownBy(() -> decoder.decode(in, listener)).isInstanceOf(Http2Exception.class);
    decoder.decode(in, listener);
    assertThat(listener.frames).last().isEqualTo(new Frame.Data(3, "bb", 1, false));
  }

  static Stream<Arguments> brokenRules() {
    byte[] s = settings();
    return Stream.of(
        // §3.4: the first frame is SETTINGS.
        arguments("first frame PING", frame(PING, 0, 0, new byte[8]), ErrorCode.PROTOCOL_ERROR, 0),
        arguments(
            "first frame SETTINGS ACK",
            frame(SETTINGS, FLAG_ACK, 0, new byte[0]),
            ErrorCode.PROTOCOL_ERROR,
            0),
        // §4.2
        arguments(
            "frame over max size",
            concat(s, frame(16_385, DATA, 0, 1, new byte[0])),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.1
        arguments(
            "DATA on stream 0",
            concat(s, frame(DATA, 0, 0, hex("00"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "DATA padding too long",
            concat(s, frame(DATA, FLAG_PADDED, 1, hex("04 000000"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "DATA padded but empty",
            concat(s, frame(DATA, FLAG_PADDED, 1, new byte[0])),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.2
        arguments(
            "HEADERS on stream 0",
            concat(s, frame(HEADERS, FLAG_END_HEADERS, 0, hex("82"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "HEADERS padding too long",
            concat(s, frame(HEADERS, FLAG_PADDED | FLAG_END_HEADERS, 1, hex("05 82828282"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "HEADERS padding eats the priority",
            concat(
                s,
                frame(
                    HEADERS,
                    FLAG_PADDED | FLAG_PRIORITY | FLAG_END_HEADERS,
                    1,
                    hex("03 00000000 10 00"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "HEADERS too short for priority",
            concat(s, frame(HEADERS, FLAG_PRIORITY | FLAG_END_HEADERS, 1, hex("0000"))),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.3
        arguments(
            "PRIORITY on stream 0",
            concat(s, frame(PRIORITY, 0, 0, new byte[5])),
            ErrorCode.PROTOCOL_ERROR,
            0),
        // §6.4
        arguments(
            "RST_STREAM on stream 0",
            concat(s, frame(RST_STREAM, 0, 0, new byte[4])),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "RST_STREAM of 3 bytes",
            concat(s, frame(RST_STREAM, 0, 1, new byte[3])),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.5
        arguments(
            "SETTINGS on a stream",
            frame(SETTINGS, 0, 1, new byte[0]),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "SETTINGS of 5 bytes",
            frame(SETTINGS, 0, 0, new byte[5]),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        arguments(
            "SETTINGS ACK with a payload",
            concat(s, frame(SETTINGS, FLAG_ACK, 0, new byte[6])),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.5.2
        arguments(
            "ENABLE_PUSH of 2",
            frame(SETTINGS, 0, 0, hex("0002 00000002")),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "INITIAL_WINDOW_SIZE of 2^31",
            frame(SETTINGS, 0, 0, hex("0004 80000000")),
            ErrorCode.FLOW_CONTROL_ERROR,
            0),
        arguments(
            "MAX_FRAME_SIZE of 16383",
            frame(SETTINGS, 0, 0, hex("0005 00003fff")),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "MAX_FRAME_SIZE of 2^24",
            frame(SETTINGS, 0, 0, hex("0005 01000000")),
            ErrorCode.PROTOCOL_ERROR,
            0),
        // §8.4, §6.6
        arguments(
            "PUSH_PROMISE with push disabled",
            concat(s, frame(PUSH_PROMISE, FLAG_END_HEADERS, 1, hex("00000002 82"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        // §6.7
        arguments(
            "PING on a stream",
            concat(s, frame(PING, 0, 1, new byte[8])),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "PING of 7 bytes",
            concat(s, frame(PING, 0, 0, new byte[7])),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.8
        arguments(
            "GOAWAY on a stream",
            concat(s, frame(GOAWAY, 0, 1, new byte[8])),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "GOAWAY of 7 bytes",
            concat(s, frame(GOAWAY, 0, 0, new byte[7])),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.9
        arguments(
            "WINDOW_UPDATE of 0 on the connection",
            concat(s, frame(WINDOW_UPDATE, 0, 0, new byte[4])),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "WINDOW_UPDATE of 5 bytes",
            concat(s, frame(WINDOW_UPDATE, 0, 1, hex("0000000100"))),
            ErrorCode.FRAME_SIZE_ERROR,
            0),
        // §6.10
        arguments(
            "CONTINUATION without HEADERS",
            concat(s, frame(CONTINUATION, FLAG_END_HEADERS, 1, hex("82"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "CONTINUATION after END_HEADERS",
            concat(
                s,
                frame(HEADERS, FLAG_END_HEADERS, 1, hex("82")),
                frame(CONTINUATION, FLAG_END_HEADERS, 1, hex("87"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "CONTINUATION of another stream",
            concat(
                s,
                frame(HEADERS, 0, 1, hex("82")),
                frame(CONTINUATION, FLAG_END_HEADERS, 3, hex("87"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "DATA inside a field block",
            concat(s, frame(HEADERS, 0, 1, hex("82")), frame(DATA, 0, 1, hex("00"))),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "unknown frame inside a field block",
            concat(s, frame(HEADERS, 0, 1, hex("82")), frame(0x20, 0, 1, new byte[0])),
            ErrorCode.PROTOCOL_ERROR,
            0),
        arguments(
            "CONTINUATION on stream 0",
            concat(s, frame(HEADERS, 0, 1, hex("82")), frame(CONTINUATION, 0, 0, hex("87"))),
            ErrorCode.PROTOCOL_ERROR,
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenRules")
  void eachBrokenRuleHasItsErrorCode(String rule, byte[] input, ErrorCode code, int stream) {
    Http2Exception e = failure(input, LIMITS, false);
    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
    assertThat(e.streamId()).isEqualTo(stream);
    assertThat(e.isConnectionError()).isEqualTo(stream == 0);
  }

  @Test
  void aContinuationFloodOfEmptyFramesStopsAtTheFrameLimit() {
    var parts = new ArrayList<byte[]>();
    parts.add(settings());
    parts.add(frame(HEADERS, 0, 1, hex("82")));
    for (int i = 0; i < 10_000; i++) {
      parts.add(frame(CONTINUATION, 0, 1, new byte[0]));
    }
    var listener = new RecordingFrameListener();
    var decoder = new Http2FrameDecoder(LIMITS, false);
    ByteBuffer in = ByteBuffer.wrap(concat(parts.toArray(byte[][]::new)));
    assertThatThrownBy(() -> decoder.decode(in, listener))
        .isInstanceOfSatisfying(
            Http2Exception.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENHANCE_YOUR_CALM));
    // It stopped at the 17th CONTINUATION: the rest was never read.
    assertThat(in.position()).isEqualTo(9 + 10 + 17 * 9);
  }

  @Test
  void aFieldBlockOverTheLimitFailsAtTheHeaderOfTheFrameThatWouldPassIt() {
    var limits = new Http2FrameDecoder.Limits(16_384, 20_000, 16, 0);
    byte[] input =
        concat(
            settings(),
            frame(HEADERS, 0, 1, new byte[16_384]),
            // Only the header: the payload that would pass the limit is never awaited.
            frame(3_617, CONTINUATION, 0, 1, new byte[0]));
    Http2Exception e = failure(input, limits, false);
    assertThat(e.code()).isEqualTo(ErrorCode.ENHANCE_YOUR_CALM);
    assertThat(e.isConnectionError()).isTrue();
    // One byte less fits.
    byte[] fits =
        concat(
            settings(),
            frame(HEADERS, 0, 1, new byte[16_384]),
            frame(CONTINUATION, FLAG_END_HEADERS, 1, new byte[3_616]));
    assertThat(decode(fits, Feed.WHOLE, new Http2FrameDecoder(limits, false)))
        .last()
        .isEqualTo(new Frame.Headers(1, "00".repeat(20_000), false));
  }

  @Test
  void aSingleHeadersFrameOverTheBlockLimitFails() {
    var limits = new Http2FrameDecoder.Limits(16_384, 100, 16, 0);
    byte[] input = concat(settings(), frame(HEADERS, FLAG_END_HEADERS, 1, new byte[101]));
    assertThat(failure(input, limits, false).code()).isEqualTo(ErrorCode.ENHANCE_YOUR_CALM);
  }
}
