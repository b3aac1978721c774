package dev.wharf.http.h2;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.FrameType;
import dev.wharf.http.h2.frame.Http2Exception;
import java.util.HashMap;
import java.util.Map;

/**
 * Our send-side flow control for one connection (RFC 9113 §5.2, §6.9): the connection's window and
 * one per open stream, each DATA frame limited by both. New streams start at the peer's
 * SETTINGS_INITIAL_WINDOW_SIZE, and a change of it moves every open stream's window (§6.9.2), not
 * the connection's. Confined to its connection's event loop.
 */
public final class SendWindows {
  /** The initial window of the connection and of streams until SETTINGS say otherwise (§6.9.2). */
  public static final int DEFAULT_WINDOW = 65_535;

  private final SendWindow connection = new SendWindow(0, DEFAULT_WINDOW);
  private final Map<Integer, SendWindow> streams = new HashMap<>();
  private int initialWindowSize = DEFAULT_WINDOW;

  /** A stream opened: its window starts at the peer's current initial window size. */
  public void open(int streamId) {
    if (streamId <= 0
        || streams.putIfAbsent(streamId, new SendWindow(streamId, initialWindowSize)) != null) {
      throw new IllegalArgumentException("stream " + streamId + " is already open or invalid");
    }
  }

  /** A stream closed: its window is forgotten. */
  public void close(int streamId) {
    streams.remove(streamId);
  }

  /**
   * The peer's WINDOW_UPDATE, for the connection (stream 0) or a stream; one for a stream we no
   * longer hold is ignored (it may trail the stream's end, §6.9).
   */
  public void windowUpdate(int streamId, int increment) {
    if (streamId == 0) {
      connection.increase(increment);
      return;
    }
    SendWindow stream = streams.get(streamId);
    if (stream != null) {
      stream.increase(increment);
    }
  }

  /**
   * The peer's SETTINGS carried INITIAL_WINDOW_SIZE: every open stream's window moves by the
   * difference from the previous value (§6.9.2).
   *
   * @throws Http2Exception FLOW_CONTROL_ERROR, a connection error, for a value above 2^31-1 or one
   *     that takes a window past it (§6.5.2, §6.9.2)
   */
  public void initialWindowSize(long size) {
    if (size < 0 || size > FrameType.MAX_WINDOW) {
      throw Http2Exception.connectionError(
          ErrorCode.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE of " + size);
    }
    long delta = size - initialWindowSize;
    for (SendWindow stream : streams.values()) {
      stream.adjust(delta);
    }
    initialWindowSize = (int) size;
  }

  /** How much of {@code wanted} bytes stream {@code streamId} may send now: 0 when blocked. */
  public int sendable(int streamId, int wanted) {
    long both = Math.min(connection.available(), window(streamId).available());
    return (int) Math.max(0, Math.min(wanted, both));
  }

  /** We send a DATA frame of {@code bytes} flow-controlled bytes on {@code streamId}. */
  public void consume(int streamId, int bytes) {
    SendWindow stream = window(streamId);
    if (bytes > connection.available()) {
      throw new IllegalArgumentException(
          "cannot send " + bytes + " bytes with " + connection + " on stream " + streamId);
    }
    stream.consume(bytes);
    connection.consume(bytes);
  }

  /** The connection's window. */
  public long connectionWindow() {
    return connection.available();
  }

  /** Stream {@code streamId}'s window. */
  public long streamWindow(int streamId) {
    return window(streamId).available();
  }

  public int initialWindowSize() {
    return initialWindowSize;
  }

  private SendWindow window(int streamId) {
    SendWindow stream = streams.get(streamId);
    if (stream == null) {
      throw new IllegalArgumentException("stream " + streamId + " is not open");
    }
    return stream;
  }
}
