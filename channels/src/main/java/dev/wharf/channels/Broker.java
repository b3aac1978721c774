package dev.wharf.channels;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Carries a node's publications to every node subscribed to their channel, assigns their offsets
 * and keeps each channel's history and presence. The node above it (one {@link Channels}) does the
 * protocol, recovery included, the same way whatever the broker; a broker only keeps these
 * promises:
 *
 * <ol>
 *   <li><b>Offsets.</b> {@link #publish} gives the publication the next offset of its channel's
 *       current epoch (1, 2, 3 ...), once, whichever node publishes.
 *   <li><b>History before delivery.</b> A publication is in the history ({@link #history}) before
 *       any listener hears it, so a node that subscribed, then read the history, misses nothing in
 *       between.
 *   <li><b>Order.</b> A listener hears a channel's publications in offset order, each at most once.
 *       After {@link #subscribe}'s future completes, every later publication of the channel reaches
 *       the listener, or the broker says it lost some by a gap in offsets or a new epoch (the node
 *       then tells its clients to recover).
 *   <li><b>Epochs.</b> A channel's epoch changes only when its history is lost (a broker restarted
 *       without persistence, a channel forgotten after its history expired), and never back.
 * </ol>
 *
 * <p>The node calls {@link #subscribe} once per channel while it has local subscribers and {@link
 * #unsubscribe} when the last leaves; calls for one channel come in that order, possibly before the
 * previous future completed. Every method may be called from any thread and must not block: a
 * remote broker completes its futures on threads of its own. Listeners must not block either.
 */
public interface Broker extends AutoCloseable {

  /** What a node hears from the broker, on the broker's threads. */
  interface Listener {
    /** A publication of a channel this node subscribed to, in offset order. */
    void publication(Publication publication);

    /** A client subscribed to the channel on some node. */
    default void joined(String channel, ClientInfo client) {}

    /** A client left the channel on some node (or its node was declared dead). */
    default void left(String channel, ClientInfo client) {}

    /**
     * The broker may have lost publications of the channel for this node and cannot say which by a
     * later one: it was cut off from its server and found, on reconnecting, the channel's history
     * gone (a new epoch). The node tells the channel's subscribers to recover, as after a gap.
     */
    default void lost(String channel) {}
  }

  /**
   * Subscribes this node to a channel's publications and presence events; completes once every
   * publication after this moment will reach the listener.
   */
  CompletableFuture<Void> subscribe(String channel, Listener listener);

  /** Stops this node's subscription to the channel. */
  CompletableFuture<Void> unsubscribe(String channel);

  /**
   * Appends {@code data} (a JSON value, kept as its text) to the channel: completes with the
   * publication and its offset once it is in the history and on its way to every subscribed node.
   */
  CompletableFuture<Publication> publish(String channel, String data);

  /**
   * The channel's position and part of its history, oldest first: with {@code after}, the
   * publications after that offset (at most {@code limit}, from the oldest); without, the newest
   * {@code limit}. Reading a channel that never had a publication gives its epoch and offset 0.
   */
  CompletableFuture<History> history(String channel, OptionalLong after, int limit);

  /** Records that a client subscribed to the channel and tells every node's listener. */
  CompletableFuture<Void> join(String channel, ClientInfo client);

  /** Records that a client left the channel and tells every node's listener. */
  CompletableFuture<Void> leave(String channel, ClientInfo client);

  /** The clients subscribed to the channel, on every node. */
  CompletableFuture<List<ClientInfo>> presence(String channel);

  /**
   * Whether the broker is reachable now: false while a remote broker's connection is lost and being
   * reopened (for dashboards; any thread, cheap). The in-memory broker always is.
   */
  default boolean connected() {
    return true;
  }

  /** A short name for logs and the start-up line: {@code "in-memory"}, {@code "redis://..."}. */
  String describe();

  /** Releases the broker's connections and threads; futures still open fail. */
  @Override
  void close();
}
