package dev.wharf.channels;

/**
 * What a channels connection does when a client reads too slowly and what waits for it passes
 * {@link ChannelsConfig#maxQueuedBytes()}: memory stays bounded either way.
 */
public enum SlowConsumerAction {
  /** Close the connection with 1008 (policy violation) and a reason; the client reconnects. */
  CLOSE,
  /**
   * Keep the connection, drop the deliveries that do not fit and every subscription, and send a
   * {@code lagged} event per channel with the last position delivered, so the client subscribes
   * again with {@code since} and recovers from the history.
   */
  LAG
}
