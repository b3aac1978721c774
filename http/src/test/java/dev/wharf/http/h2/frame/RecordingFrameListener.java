package dev.wharf.http.h2.frame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A listener that records each call as a {@link Frame}, copying what it was lent. */
class RecordingFrameListener implements Http2FrameListener {
  final List<Frame> frames = new ArrayList<>();

  @Override
  public void onData(int streamId, ByteBuffer data, int flowControlledLength, boolean endStream) {
    frames.add(new Frame.Data(streamId, Frame.hex(data), flowControlledLength, endStream));
  }

  @Override
  public void onHeaders(int streamId, ByteBuffer fieldBlock, boolean endStream) {
    frames.add(new Frame.Headers(streamId, Frame.hex(fieldBlock), endStream));
  }

  @Override
  public void onPriority(int streamId, int streamDependency, boolean exclusive, int weight) {
    frames.add(new Frame.Priority(streamId, streamDependency, exclusive, weight));
  }

  @Override
  public void onRstStream(int streamId, int errorCode) {
    frames.add(new Frame.RstStream(streamId, errorCode));
  }

  @Override
  public void onSettings(Http2Settings settings) {
    frames.add(new Frame.Settings(settings));
  }

  @Override
  public void onSettingsAck() {
    frames.add(new Frame.SettingsAck());
  }

  @Override
  public void onPushPromise(int streamId, int promisedStreamId, ByteBuffer fieldBlock) {
    frames.add(new Frame.PushPromise(streamId, promisedStreamId, Frame.hex(fieldBlock)));
  }

  @Override
  public void onPing(long data, boolean ack) {
    frames.add(new Frame.Ping(data, ack));
  }

  @Override
  public void onGoAway(int lastStreamId, int errorCode, ByteBuffer debugData) {
    frames.add(new Frame.GoAway(lastStreamId, errorCode, Frame.hex(debugData)));
  }

  @Override
  public void onWindowUpdate(int streamId, int increment) {
    frames.add(new Frame.WindowUpdate(streamId, increment));
  }

  @Override
  public void onStreamError(Http2Exception error) {
    frames.add(new Frame.StreamError(error.streamId(), error.code()));
  }
}
