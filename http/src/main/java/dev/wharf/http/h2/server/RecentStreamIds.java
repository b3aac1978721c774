package dev.wharf.http.h2.server;

import java.util.Arrays;

/**
 * The last few stream ids of one kind (reset by us, or closed), kept so that a late frame on one of
 * them gets the answer RFC 9113 §5.1 gives a closed stream rather than the one for an id never
 * used. Older ids are forgotten: a bounded memory per connection. Confined to its connection's
 * event loop.
 */
final class RecentStreamIds {
  private final int[] ids;
  private int next;

  RecentStreamIds(int capacity) {
    ids = new int[capacity];
    Arrays.fill(ids, -1); // No stream has id -1, nor 0 here.
  }

  void remember(int streamId) {
    ids[next] = streamId;
    next = (next + 1) % ids.length;
  }

  boolean contains(int streamId) {
    for (int id : ids) {
      if (id == streamId) {
        return true;
      }
    }
    return false;
  }
}
