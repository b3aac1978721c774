package dev.wharf.channels.internal;

import dev.wharf.channels.Publication;
import dev.wharf.channels.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One channel a session subscribed to. Confined to the session's event loop.
 *
 * <pre>
 *   subscribe --> RECOVERING --(history read, reply sent)--> LIVE --(unsubscribe, lag, close)--> gone
 *                 publications arriving meanwhile are          delivered if offset = last + 1;
 *                 buffered, then delivered after the           older ones skipped (duplicates),
 *                 history, each offset once                    newer ones are a gap: lagged
 * </pre>
 */
final class Subscription {
  final String channel;
  final String requestId;
  final Optional<StreamPosition> since;
  boolean live;
  String epoch;

  /** The offset of the last publication delivered (or the channel's offset when subscribed). */
  long offset;

  /** Publications that arrived while recovering, in arrival order. */
  final List<Publication> buffered = new ArrayList<>();

  long bufferedBytes;

  Subscription(String channel, String requestId, Optional<StreamPosition> since) {
    this.channel = channel;
    this.requestId = requestId;
    this.since = since;
  }

  StreamPosition position() {
    return new StreamPosition(epoch, offset);
  }
}
