package dev.wharf.http.h2.frame;

import java.nio.ByteBuffer;

/**
 * Receives the frames an {@link Http2FrameDecoder} reads, one call per frame (a field block split
 * over CONTINUATION frames arrives as one call), on the thread that feeds the decoder: the
 * connection's event loop. A buffer argument is lent for the call only: it may be a window of the
 * decoder's input or of its own scratch space, so a listener copies what it keeps.
 */
public interface Http2FrameListener {

  /**
   * A DATA frame (RFC 9113 §6.1) with its padding removed. {@code flowControlledLength} is the
   * whole frame payload, padding and pad length byte included: what counts against the flow-control
   * windows (§6.1, §6.9).
   */
  void onData(int streamId, ByteBuffer data, int flowControlledLength, boolean endStream);

  /**
   * A complete field block from a HEADERS frame and any CONTINUATION frames after it (§6.2, §6.10),
   * padding and priority fields removed, still HPACK-encoded.
   */
  void onHeaders(int streamId, ByteBuffer fieldBlock, boolean endStream);

  /** A PRIORITY frame (§6.3; deprecated, reported for the stream state machine's sake). */
  void onPriority(int streamId, int streamDependency, boolean exclusive, int weight);

  /** An RST_STREAM frame (§6.4); {@code errorCode} as sent, possibly unknown (see ErrorCode.of). */
  void onRstStream(int streamId, int errorCode);

  /** A SETTINGS frame without ACK (§6.5), its parameters checked; unknown ones left out. */
  void onSettings(Http2Settings settings);

  /** A SETTINGS frame with ACK: the peer applied our last SETTINGS (§6.5.3). */
  void onSettingsAck();

  /** A PUSH_PROMISE frame with its complete field block (§6.6); only when push is enabled. */
  void onPushPromise(int streamId, int promisedStreamId, ByteBuffer fieldBlock);

  /** A PING frame (§6.7): its 8 bytes of opaque data, and whether it answers one of ours. */
  void onPing(long data, boolean ack);

  /**
   * A GOAWAY frame (§6.8). {@code debugData} is at most the decoder's limit on debug data; longer
   * debug data is cut there.
   */
  void onGoAway(int lastStreamId, int errorCode, ByteBuffer debugData);

  /** A WINDOW_UPDATE frame (§6.9) with a non-zero increment; stream 0 is the connection. */
  void onWindowUpdate(int streamId, int increment);

  /**
   * The frame just read breaks a rule that ends its stream only (§5.4.2); the connection sends
   * RST_STREAM and carries on. The decoder has consumed that frame and stays usable. A HEADERS
   * frame whose priority makes the stream depend on itself (§5.3.1) is reported with {@link
   * #onHeaders} first, so that HPACK decodes its block and the stream opens, then here.
   */
  void onStreamError(Http2Exception error);
}
