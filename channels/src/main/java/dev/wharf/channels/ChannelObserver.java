package dev.wharf.channels;

/**
 * Server code watching a channel ({@link Channels#observe}): its publications, in offset order, and
 * its joins and leaves, from every node the broker reaches. Called on the broker's threads, one
 * call at a time per channel: it must not block (hand slow work to an executor of your own).
 */
public interface ChannelObserver {
  /** A publication, after it is in the history. */
  default void publication(Publication publication) {}

  /** A client subscribed to the channel. */
  default void joined(ClientInfo client) {}

  /** A client left the channel (unsubscribed, disconnected, or its node died). */
  default void left(ClientInfo client) {}

  /**
   * The broker lost the channel's history (it restarted without it): publications may have been
   * missed, and the next ones come under a new epoch.
   */
  default void lost() {}
}
