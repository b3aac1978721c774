package dev.wharf.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections one {@link Server} may hold at once, and how many it holds now: a slot is
 * taken before each accept and given back when the connection's socket is closed (after any
 * lingering close), so the count is of descriptors held, not of conversations.
 *
 * <p>Thread-safe: slots are taken on the accepting loop and given back on whichever loop the
 * connection lives on.
 */
final class ConnectionLimit {

  /** A client's connections count against nothing. */
  static final ConnectionLimit NONE = new ConnectionLimit(Integer.MAX_VALUE, () -> {});

  /** The descriptor limit assumed where it cannot be read (not Linux); macOS's JVM default. */
  private static final long ASSUMED_DESCRIPTOR_LIMIT = 10_240;

  private final int max;
  private final Runnable onRoom;
  private final AtomicInteger held = new AtomicInteger();

  /**
   * @param max the most connections held at once
   * @param onRoom told, on the releasing thread, whenever a slot is given back
   */
  ConnectionLimit(int max, Runnable onRoom) {
    if (max < 1) {
      throw new IllegalArgumentException("max connections must be at least 1, got " + max);
    }
    this.max = max;
    this.onRoom = onRoom;
  }

  /**
   * The default cap: the process's descriptor limit less a reserve for what else a server opens
   * (files it serves, logs, its own jars): a quarter of the limit, and at least 256 descriptors or
   * half of a small limit. 20,000 descriptors give 15,000 connections, 1,024 give 768, 256 give
   * 128. Like nginx's {@code worker_connections}, it keeps accepting from ever being what runs the
   * process out of descriptors.
   */
  static int defaultMax() {
    return defaultMax(ProcessLimits.openFiles().orElse(ASSUMED_DESCRIPTOR_LIMIT));
  }

  static int defaultMax(long descriptorLimit) {
    long reserve = Math.max(descriptorLimit / 4, Math.min(256, descriptorLimit / 2));
    return Math.clamp(descriptorLimit - reserve, 1, Integer.MAX_VALUE);
  }

  int max() {
    return max;
  }

  int held() {
    return held.get();
  }

  /** Takes a slot; false when all {@link #max()} are held. */
  boolean tryAcquire() {
    while (true) {
      int now = held.get();
      if (now >= max) {
        return false;
      }
      if (held.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (this == NONE) {
      return; // Never taken; and one counter shared by every client would be contended.
    }
    held.decrementAndGet();
    onRoom.run();
  }
}
