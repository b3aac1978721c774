package dev.wharf.http.h2;

import static dev.wharf.http.h2.StreamState.CLOSED;
import static dev.wharf.http.h2.StreamState.HALF_CLOSED_LOCAL;
import static dev.wharf.http.h2.StreamState.HALF_CLOSED_REMOTE;
import static dev.wharf.http.h2.StreamState.IDLE;
import static dev.wharf.http.h2.StreamState.OPEN;
import static dev.wharf.http.h2.StreamState.RESERVED_LOCAL;
import static dev.wharf.http.h2.StreamState.RESERVED_REMOTE;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;

/**
 * The life of one HTTP/2 stream (RFC 9113 §5.1): each frame received or sent moves it, and each
 * {@code receive...} method answers whether the frame is to be processed, ignored, or is an error
 * (thrown as {@link Http2Exception} with the code and scope §5.1 gives). A {@code send...} that the
 * state forbids is our bug: {@link IllegalStateException}. Confined to its connection's event loop.
 *
 * <pre>
 *                              +--------+
 *                      send PP |        | recv PP
 *                     ,--------+  idle  +--------.
 *                    /         |        |         \
 *                   v          +--------+          v
 *            +----------+          |           +----------+
 *            |          |          | send H /  |          |
 *     ,------+ reserved |          | recv H    | reserved +------.
 *     |      | (local)  |          |           | (remote) |      |
 *     |      +---+------+          v           +------+---+      |
 *     |          |             +--------+             |          |
 *     |          |     recv ES |        | send ES     |          |
 *     |   send H |     ,-------+  open  +-------.     | recv H   |
 *     |          |    /        |        |        \    |          |
 *     |          v   v         +---+----+         v   v          |
 *     |      +----------+          |           +----------+      |
 *     |      |   half-  |          |           |   half-  |      |
 *     |      |  closed  |          | send R /  |  closed  |      |
 *     |      | (remote) |          | recv R    | (local)  |      |
 *     |      +----+-----+          |           +-----+----+      |
 *     |           |                |                 |           |
 *     |           | send ES /      |       recv ES / |           |
 *     |           |  send R /      v        send R / |           |
 *     |           |  recv R    +--------+   recv R   |           |
 *     | send R /  `-----------&gt;|        |&lt;-----------'  send R / |
 *     | recv R                 | closed |               recv R   |
 *     `-----------------------&gt;|        |&lt;-----------------------'
 *                              +--------+
 *   H: HEADERS (and its CONTINUATIONs)   PP: PUSH_PROMISE (on the promised stream)
 *   ES: END_STREAM flag   R: RST_STREAM   (RFC 9113 §5.1, Figure 2)
 * </pre>
 *
 * <p>How a stream closed decides what a late frame means (§5.1 "closed"): after we sent RST_STREAM,
 * frames the peer had in flight are ignored; after the peer's RST_STREAM, anything but PRIORITY is
 * a stream error STREAM_CLOSED, except a late RST_STREAM, which is never answered with another
 * (§5.4.2) and so is ignored in every closed stream; after both END_STREAMs, DATA or HEADERS is a
 * connection error STREAM_CLOSED, while WINDOW_UPDATE and RST_STREAM may still trail our END_STREAM
 * and are ignored.
 */
public final class StreamStateMachine {

  /** How a closed stream came to close. */
  public enum Closure {
    NOT_CLOSED,
    END_STREAMS,
    RESET_SENT,
    RESET_RECEIVED
  }

  private final int streamId;
  private StreamState state = IDLE;
  private Closure closure = Closure.NOT_CLOSED;

  public StreamStateMachine(int streamId) {
    if (streamId <= 0) {
      throw new IllegalArgumentException("stream id " + streamId);
    }
    this.streamId = streamId;
  }

  public int streamId() {
    return streamId;
  }

  public StreamState state() {
    return state;
  }

  public Closure closure() {
    return closure;
  }

  /** Whether we may still send DATA (open, or half-closed (remote)). */
  public boolean canSend() {
    return state == OPEN || state == HALF_CLOSED_REMOTE;
  }

  /** Whether the peer may still send DATA (open, or half-closed (local)). */
  public boolean canReceive() {
    return state == OPEN || state == HALF_CLOSED_LOCAL;
  }

  // ---- frames received ----

  /**
   * A HEADERS frame (its field block complete) arrived. Its block must be HPACK-decoded whatever
   * this returns, so that the connection's table stays in step (§4.3).
   *
   * @return true to process it, false to ignore it (the stream was reset by us)
   */
  public boolean receiveHeaders(boolean endStream) {
    switch (state) {
      case IDLE -> state = endStream ? HALF_CLOSED_REMOTE : OPEN;
      case RESERVED_REMOTE -> {
        if (endStream) {
          close(Closure.END_STREAMS);
        } else {
          state = HALF_CLOSED_LOCAL;
        }
      }
      case OPEN, HALF_CLOSED_LOCAL -> endOfPeerStream(endStream); // trailers, or more headers
      case HALF_CLOSED_REMOTE -> throw afterPeerEnded("HEADERS");
      case CLOSED -> {
        return onClosed("HEADERS");
      }
      default -> throw forbidden("HEADERS"); // reserved (local): §5.1
    }
    return true;
  }

  /**
   * A DATA frame arrived. Whatever this returns, its flow-controlled length counts against the
   * connection's window (§6.9).
   *
   * @return true to process it, false to ignore it
   */
  public boolean receiveData(boolean endStream) {
    switch (state) {
      case OPEN, HALF_CLOSED_LOCAL -> endOfPeerStream(endStream);
      case HALF_CLOSED_REMOTE -> throw afterPeerEnded("DATA");
      case CLOSED -> {
        return onClosed("DATA");
      }
      default -> throw forbidden("DATA"); // idle, reserved: §5.1, §6.1
    }
    return true;
  }

  /** An RST_STREAM frame arrived. @return true to process it, false to ignore it */
  public boolean receiveRstStream() {
    switch (state) {
      // RFC 9113 §6.4: RST_STREAM on an idle stream is a connection error PROTOCOL_ERROR.
      case IDLE -> throw forbidden("RST_STREAM");
      case CLOSED -> {
        return onClosed("RST_STREAM");
      }
      default -> close(Closure.RESET_RECEIVED);
    }
    return true;
  }

  /** A WINDOW_UPDATE frame arrived for this stream. @return true to apply it */
  public boolean receiveWindowUpdate() {
    return switch (state) {
      // RFC 9113 §5.1: an idle stream receives only HEADERS and PRIORITY, a reserved (remote)
      // one only HEADERS, RST_STREAM and PRIORITY.
      case IDLE, RESERVED_REMOTE -> throw forbidden("WINDOW_UPDATE");
      case CLOSED -> onClosed("WINDOW_UPDATE");
      default -> true; // §5.1: allowed in every other state, reserved (local) included
    };
  }

  /** A PRIORITY frame arrived: allowed in every state (§5.1), and changes none. */
  public void receivePriority() {
    // Nothing moves: RFC 9113 §5.1 lets PRIORITY arrive on a stream in any state.
  }

  /**
   * A PUSH_PROMISE named this stream as the promised one (§6.6): idle to reserved (remote). Any
   * other state is a connection error PROTOCOL_ERROR (§5.1.1 for a reused id).
   */
  public void receivePushPromise() {
    if (state != IDLE) {
      throw Http2Exception.connectionError(
          ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE promises stream " + streamId + " in " + state);
    }
    state = RESERVED_REMOTE;
  }

  private void endOfPeerStream(boolean endStream) {
    if (!endStream) {
      return;
    }
    if (state == OPEN) {
      state = HALF_CLOSED_REMOTE;
    } else {
      close(Closure.END_STREAMS);
    }
  }

  private boolean onClosed(String frame) {
    // RFC 9113 §5.4.2: an RST_STREAM is never answered with one, so a late one is ignored.
    if (frame.equals("RST_STREAM")) {
      return false;
    }
    return switch (closure) {
      // RFC 9113 §5.1: frames in flight when we reset the stream are ignored.
      case RESET_SENT -> false;
      // RFC 9113 §5.1: after the peer's RST_STREAM, any frame but PRIORITY is STREAM_CLOSED.
      case RESET_RECEIVED ->
          throw Http2Exception.streamError(
              streamId, ErrorCode.STREAM_CLOSED, frame + " after the peer reset the stream");
      // RFC 9113 §5.1: WINDOW_UPDATE and RST_STREAM may trail our END_STREAM; anything else
      // after the peer's END_STREAM is a connection error STREAM_CLOSED.
      default -> {
        if (frame.equals("WINDOW_UPDATE")) {
          yield false;
        }
        throw Http2Exception.connectionError(
            ErrorCode.STREAM_CLOSED, frame + " on closed stream " + streamId);
      }
    };
  }

  private Http2Exception afterPeerEnded(String frame) {
    // RFC 9113 §5.1 half-closed (remote): frames other than WINDOW_UPDATE, PRIORITY and
    // RST_STREAM are a stream error STREAM_CLOSED.
    return Http2Exception.streamError(
        streamId, ErrorCode.STREAM_CLOSED, frame + " after the peer ended stream " + streamId);
  }

  private Http2Exception forbidden(String frame) {
    // RFC 9113 §5.1: a frame an idle or reserved stream may not receive is a connection error
    // PROTOCOL_ERROR.
    return Http2Exception.connectionError(
        ErrorCode.PROTOCOL_ERROR, frame + " on stream " + streamId + " in state " + state);
  }

  // ---- frames sent ----

  /** We send HEADERS (with END_STREAM when {@code endStream}). */
  public void sendHeaders(boolean endStream) {
    switch (state) {
      case IDLE -> state = endStream ? HALF_CLOSED_LOCAL : OPEN;
      case RESERVED_LOCAL -> {
        if (endStream) {
          close(Closure.END_STREAMS);
        } else {
          state = HALF_CLOSED_REMOTE;
        }
      }
      case OPEN, HALF_CLOSED_REMOTE -> endOfOurStream(endStream);
      default -> throw cannotSend("HEADERS");
    }
  }

  /** We send DATA (with END_STREAM when {@code endStream}). */
  public void sendData(boolean endStream) {
    if (!canSend()) {
      throw cannotSend("DATA");
    }
    endOfOurStream(endStream);
  }

  /** We send RST_STREAM: closed, and what the peer still had in flight is ignored. */
  public void sendRstStream() {
    // RFC 9113 §6.4: RST_STREAM is never sent for an idle stream.
    if (state == IDLE) {
      throw cannotSend("RST_STREAM");
    }
    close(Closure.RESET_SENT);
  }

  /** We promise this stream in a PUSH_PROMISE (§6.6): idle to reserved (local). */
  public void sendPushPromise() {
    if (state != IDLE) {
      throw cannotSend("PUSH_PROMISE");
    }
    state = RESERVED_LOCAL;
  }

  private void endOfOurStream(boolean endStream) {
    if (!endStream) {
      return;
    }
    if (state == OPEN) {
      state = HALF_CLOSED_LOCAL;
    } else {
      close(Closure.END_STREAMS);
    }
  }

  private IllegalStateException cannotSend(String frame) {
    return new IllegalStateException(
        "cannot send " + frame + " on stream " + streamId + " in state " + state);
  }

  private void close(Closure how) {
    state = CLOSED;
    closure = how;
  }

  @Override
  public String toString() {
    return "stream " + streamId + " " + state + (state == CLOSED ? " (" + closure + ")" : "");
  }
}
