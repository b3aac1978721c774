package dev.wharf.core;

/**
 * When a connection's write queue counts as full: above {@code high} queued bytes {@link
 * Connection#isWritable()} turns false (and {@link Protocol#writabilityChanged} says so); it turns
 * true again once the queue drains to {@code low}. A protocol that stops producing while unwritable
 * keeps a slow reader from growing our memory.
 */
public record Watermarks(int low, int high) {
  /** 32 KiB and 64 KiB, as Netty. */
  public static final Watermarks DEFAULTS = new Watermarks(32 * 1024, 64 * 1024);

  public Watermarks {
    if (low < 0 || high <= 0 || low > high) {
      throw new IllegalArgumentException("need 0 <= low <= high, high > 0: " + low + ", " + high);
    }
  }
}
