package dev.wharf.core.internal;

import java.nio.ByteBuffer;

/**
 * A free list of equal-sized direct buffers, owned by one event loop. Direct buffers are costly to
 * allocate and free (the JDK zeroes them and frees through a cleaner), and a loop's write queues
 * need them constantly, so they are kept and reused.
 *
 * <p>Not thread-safe: used only from its loop's thread. A buffer goes back to the pool that lent
 * it. Beyond {@code maxRetained} free buffers, returned buffers are left to the garbage collector
 * so a burst does not pin memory for ever.
 */
public final class BufferPool {
  private final int bufferSize;
  private final ByteBuffer[] free;
  private int freeCount;
  private long allocated;

  public BufferPool(int bufferSize, int maxRetained) {
    this.bufferSize = bufferSize;
    this.free = new ByteBuffer[maxRetained];
  }

  /** A cleared buffer of {@link #bufferSize()} bytes. */
  public ByteBuffer acquire() {
    if (freeCount > 0) {
      ByteBuffer buffer = free[--freeCount];
      free[freeCount] = null;
      return buffer.clear();
    }
    allocated++;
    return ByteBuffer.allocateDirect(bufferSize);
  }

  /** Returns a buffer that {@link #acquire()} lent. */
  public void release(ByteBuffer buffer) {
    if (freeCount < free.length) {
      free[freeCount++] = buffer;
    }
  }

  public int bufferSize() {
    return bufferSize;
  }

  /** Buffers waiting in the pool. */
  public int freeCount() {
    return freeCount;
  }

  /** Buffers ever allocated (a pool that works allocates few). */
  public long allocatedCount() {
    return allocated;
  }
}
