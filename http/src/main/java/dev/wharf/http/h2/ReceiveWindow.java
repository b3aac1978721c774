package dev.wharf.http.h2;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.FrameType;
import dev.wharf.http.h2.frame.Http2Exception;

/**
 * How many bytes of DATA the peer may still send us (RFC 9113 §5.2, §6.9), on one stream or, for
 * stream 0, the connection, and when to grant more. The window is what we last granted less what
 * arrived; bytes the application has consumed are returned by WINDOW_UPDATE once they reach half
 * the target window, so a peer never waits on an update for long and tiny updates never flood it.
 * Confined to its connection's event loop; reads no clock (the caller passes the time).
 *
 * <p><b>Auto-tuning</b> (as quic-go and Chromium's QUIC do): once the round-trip time is known
 * (from a PING), an update that falls due less than two round trips after the previous one means
 * the window, not the application, limits the transfer; the target window then doubles, up to
 * {@code maxWindow}, and the update grants the growth too. A slow reader never triggers it, so
 * memory grows only for connections that use it.
 */
public final class ReceiveWindow {
  private final int streamId;
  private final int maxWindow;
  private long window;
  private int target;
  private int pending; // consumed, not yet returned by WINDOW_UPDATE
  private long roundTripNanos;
  private long epochStartNanos = Long.MIN_VALUE;

  /**
   * @param streamId the stream, or 0 for the connection
   * @param initialWindow the window the peer starts with: 65,535 for the connection, our
   *     SETTINGS_INITIAL_WINDOW_SIZE for a stream (§6.9.2)
   * @param maxWindow how far auto-tuning may grow the target (at least {@code initialWindow})
   */
  public ReceiveWindow(int streamId, int initialWindow, int maxWindow) {
    if (initialWindow < 0 || maxWindow < initialWindow) {
      throw new IllegalArgumentException("windows " + initialWindow + ", max " + maxWindow);
    }
    this.streamId = streamId;
    this.window = initialWindow;
    this.target = initialWindow;
    this.maxWindow = maxWindow;
  }

  /**
   * A DATA frame of {@code flowControlledLength} bytes (padding included) arrived.
   *
   * @throws Http2Exception FLOW_CONTROL_ERROR if it exceeds the window (§6.9.1): a stream error on
   *     a stream, a connection error on the connection
   */
  public void receive(int flowControlledLength) {
    // RFC 9113 §6.9.1: a sender must not exceed the window; a receiver treats it as a
    // FLOW_CONTROL_ERROR.
    if (flowControlledLength > window) {
      String message = flowControlledLength + " bytes of DATA with a window of " + window;
      throw streamId == 0
          ? Http2Exception.connectionError(ErrorCode.FLOW_CONTROL_ERROR, message)
          : Http2Exception.streamError(streamId, ErrorCode.FLOW_CONTROL_ERROR, message);
    }
    window -= flowControlledLength;
  }

  /**
   * The application consumed {@code bytes} of what arrived (the connection consumes padding, and
   * DATA it drops, at once).
   *
   * @return the increment of the WINDOW_UPDATE to send now, or 0 for none yet
   */
  public int consumed(int bytes, long nowNanos) {
    if (bytes < 0 || pending + (long) bytes > target - window) {
      throw new IllegalArgumentException(
          "consumed " + bytes + " bytes, more than arrived on " + this);
    }
    // The first epoch starts at the first consumption: an update due then has nothing to compare.
    boolean epochKnown = epochStartNanos != Long.MIN_VALUE;
    if (!epochKnown) {
      epochStartNanos = nowNanos;
    }
    pending += bytes;
    if (pending == 0 || pending < target / 2) {
      return 0;
    }
    int growth = 0;
    if (epochKnown && roundTripNanos > 0 && nowNanos - epochStartNanos < 2 * roundTripNanos) {
      growth = (int) Math.min((long) target, (long) maxWindow - target);
    }
    target += growth;
    int increment = pending + growth;
    pending = 0;
    window += increment;
    epochStartNanos = nowNanos;
    return increment;
  }

  /**
   * Raises the target window to {@code newTarget} at once, for the connection's window, which
   * starts at 65,535 whatever SETTINGS say (§6.9.2).
   *
   * @return the increment of the WINDOW_UPDATE to send now, or 0
   */
  public int growTo(int newTarget) {
    if (newTarget <= target) {
      return 0;
    }
    int increment = Math.min(newTarget, maxWindow) - target;
    target += increment;
    window += increment;
    return increment;
  }

  /** The connection measured a round trip (a PING and its ACK), for auto-tuning. */
  public void roundTrip(long nanos) {
    this.roundTripNanos = Math.max(0, nanos);
  }

  /**
   * Our SETTINGS_INITIAL_WINDOW_SIZE changed by {@code delta} and the peer acknowledged it: the
   * peer moved this stream's window by as much (§6.9.2), and so do we.
   */
  public void adjust(long delta) {
    long newTarget = target + delta;
    if (newTarget < 0 || newTarget > FrameType.MAX_WINDOW) {
      throw new IllegalArgumentException("target window " + newTarget + " on " + this);
    }
    window += delta;
    target = (int) newTarget;
  }

  /** What the peer may still send. */
  public long window() {
    return window;
  }

  /** The window we grant when all is consumed. */
  public int target() {
    return target;
  }

  /** Consumed bytes not yet returned by a WINDOW_UPDATE. */
  public int pending() {
    return pending;
  }

  @Override
  public String toString() {
    return (streamId == 0 ? "connection" : "stream " + streamId)
        + " receive window "
        + window
        + " of "
        + target;
  }
}
