package dev.wharf.http.h2;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;

/**
 * The stream identifiers of one connection (RFC 9113 §5.1.1): clients open odd-numbered streams,
 * servers even-numbered ones, each side's in increasing order, never reusing one. It checks the
 * peer's new streams, hands out ours, and tells an idle id from one that was used (and may have
 * been forgotten since). Confined to its connection's event loop.
 */
public final class StreamIds {
  private static final int MAX_STREAM_ID = Integer.MAX_VALUE;

  private final boolean server;
  private int lastPeerStreamId;
  private int nextLocalStreamId;

  /**
   * @param server whether we are the server (the peer opens odd streams)
   */
  public StreamIds(boolean server) {
    this.server = server;
    this.nextLocalStreamId = server ? 2 : 1;
  }

  /** Whether the peer opens streams with this id's parity. */
  public boolean isPeerInitiated(int streamId) {
    return (streamId % 2 == 1) == server;
  }

  /**
   * The peer opens stream {@code streamId} (its HEADERS on an id we do not hold). Lower idle ids of
   * the peer's are closed by this (§5.1.1).
   *
   * @throws Http2Exception a connection error PROTOCOL_ERROR if the id has our parity or does not
   *     exceed every id the peer used before (§5.1.1)
   */
  public void acceptPeerStream(int streamId) {
    // RFC 9113 §5.1.1: streams initiated by a client use odd ids, by a server even ones.
    if (streamId <= 0 || !isPeerInitiated(streamId)) {
      throw Http2Exception.connectionError(
          ErrorCode.PROTOCOL_ERROR,
          (server ? "client" : "server") + " opened stream " + streamId + " of the wrong parity");
    }
    // RFC 9113 §5.1.1: a new stream id must exceed all the peer opened or reserved before.
    if (streamId <= lastPeerStreamId) {
      throw Http2Exception.connectionError(
          ErrorCode.PROTOCOL_ERROR,
          "stream " + streamId + " opened after stream " + lastPeerStreamId);
    }
    lastPeerStreamId = streamId;
  }

  /** The highest stream id the peer opened: what a GOAWAY names as last (§6.8). */
  public int lastPeerStreamId() {
    return lastPeerStreamId;
  }

  /**
   * Whether {@code streamId}, which the connection no longer (or never) held, is still idle: not
   * yet used by the side that opens it. A frame on an id that is not idle but is unknown concerns a
   * closed stream.
   */
  public boolean isIdle(int streamId) {
    return isPeerInitiated(streamId) ? streamId > lastPeerStreamId : streamId >= nextLocalStreamId;
  }

  /** Whether we can open another stream; when not, a new connection is needed (§5.1.1). */
  public boolean hasLocalStreamIds() {
    return nextLocalStreamId > 0 && nextLocalStreamId <= MAX_STREAM_ID;
  }

  /** The id of the next stream we open, taken. */
  public int nextLocalStreamId() {
    if (!hasLocalStreamIds()) {
      throw new IllegalStateException("stream ids are exhausted; open a new connection");
    }
    int id = nextLocalStreamId;
    nextLocalStreamId += 2; // overflows to negative past 2^31-1: exhausted
    return id;
  }
}
