package dev.wharf.channels.internal;

import dev.wharf.channels.Broker;
import dev.wharf.channels.History;
import dev.wharf.channels.Publication;
import dev.wharf.channels.StreamPosition;

/**
 * Where one node's feed of a channel stands, for a broker that relays publications both live (Redis
 * pub/sub, NATS subjects) and from a stored history (a Redis stream, JetStream): the epoch and
 * offset last handed to the listener. It hands each publication on once, takes a gap's missing
 * publications from the history before the one that showed the gap, and after a reconnect either
 * catches up from the history or, when the history is gone (a new epoch), tells the listener it
 * {@link Broker.Listener#lost lost} the channel.
 *
 * <p>A gap or an epoch change that remains is passed on as it is: the sessions notice it and tell
 * their clients to recover.
 *
 * <p>Not thread-safe: the broker keeps each cursor on one thread or under one lock.
 */
public final class FeedCursor {
  private final String channel;
  private final Broker.Listener listener;
  private String epoch;
  private long last = -1; // unknown until started or a first delivery

  public FeedCursor(String channel, Broker.Listener listener) {
    this.channel = channel;
    this.listener = listener;
  }

  public Broker.Listener listener() {
    return listener;
  }

  /** Whether the cursor knows where it stands (started, or something was delivered). */
  public boolean isPositioned() {
    return last >= 0;
  }

  /** The offset last delivered (or started at); -1 before either. */
  public long last() {
    return last;
  }

  /** Stands at the channel's top without handing anything on: a fresh subscription. */
  public void startAt(StreamPosition top) {
    epoch = top.epoch();
    last = top.offset();
  }

  /** Hands a publication on unless it was already (it came both live and from the history). */
  public void deliver(Publication publication) {
    if (publication.epoch().equals(epoch) && publication.offset() <= last) {
      return;
    }
    epoch = publication.epoch();
    last = publication.offset();
    listener.publication(publication);
  }

  /**
   * Whether a live publication comes after a gap in this epoch, which the history may fill: read it
   * after {@link #last()} and give it to {@link #fill} before delivering the publication.
   */
  public boolean hasGapBefore(Publication publication) {
    return epoch != null
        && epoch.equals(publication.epoch())
        && last >= 0
        && publication.offset() > last + 1;
  }

  /** Hands on what {@code missed} holds of this epoch below {@code before}, in order. */
  public void fill(History missed, long before) {
    for (Publication p : missed.publications()) {
      if (p.epoch().equals(epoch) && p.offset() < before) {
        deliver(p);
      }
    }
  }

  /**
   * After a reconnect, with the history read after {@link #last()}: delivers what the broker kept,
   * or, if the channel has a new epoch, stands at its top and tells the listener the channel was
   * lost.
   *
   * @return false if the history was lost
   */
  public boolean catchUp(History sinceLast) {
    if (!sinceLast.top().epoch().equals(epoch)) {
      startAt(sinceLast.top());
      listener.lost(channel);
      return false;
    }
    for (Publication p : sinceLast.publications()) {
      deliver(p);
    }
    return true;
  }
}
