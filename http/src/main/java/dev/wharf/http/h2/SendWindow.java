package dev.wharf.http.h2;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.FrameType;
import dev.wharf.http.h2.frame.Http2Exception;

/**
 * How many bytes of DATA we may still send (RFC 9113 §5.2, §6.9), on one stream or, for stream 0,
 * on the whole connection. The peer's WINDOW_UPDATE frames widen it, what we send narrows it, and a
 * smaller SETTINGS_INITIAL_WINDOW_SIZE can push a stream's below zero (§6.9.2). Confined to its
 * connection's event loop.
 */
public final class SendWindow {
  private final int streamId;
  private long window;

  /**
   * @param streamId the stream, or 0 for the connection
   */
  public SendWindow(int streamId, int initialWindow) {
    this.streamId = streamId;
    this.window = initialWindow;
  }

  public int streamId() {
    return streamId;
  }

  /** The bytes we may send now; negative after the peer shrank the initial window (§6.9.2). */
  public long available() {
    return window;
  }

  /** We send {@code bytes} flow-controlled bytes (a DATA frame's whole payload, §6.9). */
  public void consume(int bytes) {
    if (bytes < 0 || bytes > window) {
      throw new IllegalArgumentException(
          "cannot send " + bytes + " bytes with a window of " + window + " on " + this);
    }
    window -= bytes;
  }

  /**
   * The peer's WINDOW_UPDATE widens the window.
   *
   * @throws Http2Exception FLOW_CONTROL_ERROR if the window would exceed 2^31-1 (§6.9.1): a stream
   *     error for a stream's window, a connection error for the connection's
   */
  public void increase(int increment) {
    if (increment < 1) {
      throw new IllegalArgumentException("increment " + increment);
    }
    // RFC 9113 §6.9.1: a window above 2^31-1 ends the stream or the connection.
    if (window + increment > FrameType.MAX_WINDOW) {
      String message = "window of " + window + " + " + increment + " exceeds 2^31-1";
      throw streamId == 0
          ? Http2Exception.connectionError(ErrorCode.FLOW_CONTROL_ERROR, message)
          : Http2Exception.streamError(streamId, ErrorCode.FLOW_CONTROL_ERROR, message);
    }
    window += increment;
  }

  /**
   * The peer's SETTINGS_INITIAL_WINDOW_SIZE changed by {@code delta}, which moves a stream's window
   * by as much (§6.9.2).
   *
   * @throws Http2Exception a connection error FLOW_CONTROL_ERROR if the window would exceed 2^31-1
   *     (§6.9.2)
   */
  public void adjust(long delta) {
    if (window + delta > FrameType.MAX_WINDOW) {
      throw Http2Exception.connectionError(
          ErrorCode.FLOW_CONTROL_ERROR,
          "SETTINGS_INITIAL_WINDOW_SIZE takes the window of stream " + streamId + " past 2^31-1");
    }
    window += delta;
  }

  @Override
  public String toString() {
    return (streamId == 0 ? "connection" : "stream " + streamId) + " send window " + window;
  }
}
