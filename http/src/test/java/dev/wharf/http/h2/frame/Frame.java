package dev.wharf.http.h2.frame;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** What an {@link Http2FrameDecoder} reported, as values a test compares: one record per call. */
sealed interface Frame {
  HexFormat HEX = HexFormat.of();

  record Data(int streamId, String data, int flowControlled, boolean endStream) implements Frame {}

  record Headers(int streamId, String block, boolean endStream) implements Frame {}

  record Priority(int streamId, int dependency, boolean exclusive, int weight) implements Frame {}

  record RstStream(int streamId, int code) implements Frame {}

  record Settings(Http2Settings settings) implements Frame {}

  record SettingsAck() implements Frame {}

  record PushPromise(int streamId, int promisedStreamId, String block) implements Frame {}

  record Ping(long data, boolean ack) implements Frame {}

  record GoAway(int lastStreamId, int code, String debug) implements Frame {}

  record WindowUpdate(int streamId, int increment) implements Frame {}

  record StreamError(int streamId, ErrorCode code) implements Frame {}

  /** The bytes between a lent buffer's position and limit, as hex, without moving it. */
  static String hex(ByteBuffer lent) {
    byte[] bytes = new byte[lent.remaining()];
    lent.get(lent.position(), bytes);
    return HEX.formatHex(bytes);
  }
}
