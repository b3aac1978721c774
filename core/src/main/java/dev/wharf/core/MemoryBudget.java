package dev.wharf.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes all connections together may hold for what they have only partly received (request
 * bodies being buffered, WebSocket messages being gathered). Each per-connection limit is safe
 * alone, but hundreds of connections each just under theirs would fill the heap and kill the event
 * loops with {@code OutOfMemoryError}; a shared budget lets the protocols refuse the next large
 * message (503, close 1009) instead.
 *
 * <p>A protocol {@linkplain #tryReserve reserves} bytes before it holds them and {@linkplain
 * #release releases} them when the message is delivered or the connection closes: a reservation
 * never released would slowly refuse everyone. Thread-safe and lock-free.
 */
public final class MemoryBudget {
  private final long limitBytes;
  private final AtomicLong reserved = new AtomicLong();

  private MemoryBudget(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("a memory budget must be positive: " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** A budget of {@code limitBytes}. */
  public static MemoryBudget of(long limitBytes) {
    return new MemoryBudget(limitBytes);
  }

  /**
   * The budget servers share unless given their own: a quarter of the largest heap this JVM may
   * grow to, leaving the rest for what the budget does not count (responses, caches, the
   * application). Made on first use, one per process.
   */
  public static MemoryBudget processDefault() {
    return ProcessDefault.BUDGET;
  }

  /** A quarter of {@link Runtime#maxMemory()}. */
  public static long defaultLimitBytes() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  private static final class ProcessDefault {
    static final MemoryBudget BUDGET = new MemoryBudget(defaultLimitBytes());
  }

  /** Takes {@code bytes} from the budget if that many are left; false (taking none) if not. */
  public boolean tryReserve(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative reservation: " + bytes);
    }
    long now;
    do {
      now = reserved.get();
      if (now + bytes > limitBytes) {
        return false;
      }
    } while (!reserved.compareAndSet(now, now + bytes));
    return true;
  }

  /** Gives back {@code bytes} earlier {@linkplain #tryReserve reserved}. */
  public void release(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative release: " + bytes);
    }
    long after = reserved.addAndGet(-bytes);
    if (after < 0) {
      throw new IllegalStateException("released " + -after + " bytes more than reserved");
    }
  }

  /** Whether {@code bytes} more would fit now (a hint: other threads may take them first). */
  public boolean hasRoomFor(long bytes) {
    return reserved.get() + bytes <= limitBytes;
  }

  /** Bytes reserved now. */
  public long reservedBytes() {
    return reserved.get();
  }

  public long limitBytes() {
    return limitBytes;
  }

  @Override
  public String toString() {
    return "MemoryBudget[" + reserved.get() + " of " + limitBytes + " bytes reserved]";
  }
}
