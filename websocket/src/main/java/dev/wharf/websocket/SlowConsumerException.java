package dev.wharf.websocket;

import java.io.IOException;

/**
 * A send failed because the peer is not reading fast enough: too many bytes were already queued for
 * it ({@link WebSocketConfig#maxOutboundBytes()}). {@link #policy()} says whether the connection is
 * being closed or only this message was dropped.
 */
public final class SlowConsumerException extends IOException {
  private static final long serialVersionUID = 1L;

  private final SlowConsumerPolicy policy;

  public SlowConsumerException(SlowConsumerPolicy policy, String message) {
    super(message);
    this.policy = policy;
  }

  public SlowConsumerPolicy policy() {
    return policy;
  }
}
