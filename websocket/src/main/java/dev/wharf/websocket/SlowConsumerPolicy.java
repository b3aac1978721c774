package dev.wharf.websocket;

/**
 * What happens when a peer reads more slowly than we send and the bytes queued for it reach {@link
 * WebSocketConfig#maxOutboundBytes()}: memory stays bounded either way.
 */
public enum SlowConsumerPolicy {
  /** Close the connection with 1008 (policy violation); the send fails. */
  CLOSE,
  /** Drop the message that does not fit (its send fails) and keep the connection. */
  DROP
}
