package dev.wharf.websocket;

/**
 * The arrays that messages are gathered in, kept by each event loop thread and lent for one message
 * at a time: a loop reuses a few arrays for all its connections' messages instead of allocating one
 * per message, and a connection between messages holds none.
 *
 * <p>Arrays come in powers of two from {@link #MIN_BYTES} to {@link #MAX_POOLED_BYTES}; a longer
 * one is allocated for its message alone and not kept. At most {@link #MAX_RETAINED_BYTES} of free
 * arrays stay with a thread; beyond that, returned arrays are left to the garbage collector, so a
 * burst of large messages does not pin memory for ever. Arrays are not cleared between messages:
 * only the bytes written for the current message may be shown to anyone.
 *
 * <p>Not thread-safe: one per thread ({@link #forThisThread}), used on the loop only.
 */
final class GatherBuffers {
  static final int MIN_BYTES = 4 * 1024;
  static final int MAX_POOLED_BYTES = 1024 * 1024;
  static final long MAX_RETAINED_BYTES = 8L * 1024 * 1024;

  private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_BYTES);
  private static final int CLASSES =
      Integer.numberOfTrailingZeros(MAX_POOLED_BYTES) - MIN_SHIFT + 1;
  private static final ThreadLocal<GatherBuffers> PER_THREAD =
      ThreadLocal.withInitial(GatherBuffers::new);

  /** Free arrays per size class, each a stack: {@code free[c][0 .. count[c])}. */
  private final byte[][][] free = new byte[CLASSES][][];

  private final int[] count = new int[CLASSES];
  private long retainedBytes;
  private long allocated;

  static GatherBuffers forThisThread() {
    return PER_THREAD.get();
  }

  /**
   * An array of at least {@code minBytes} (and at least {@link #MIN_BYTES}), with stale contents.
   * Give it back with {@link #giveBack} when the message is done with it.
   */
  byte[] take(int minBytes) {
    if (minBytes > MAX_POOLED_BYTES) {
      allocated++;
      return new byte[lengthFor(minBytes)];
    }
    int c = sizeClass(minBytes);
    if (count[c] > 0) {
      byte[] array = free[c][--count[c]];
      free[c][count[c]] = null;
      retainedBytes -= array.length;
      return array;
    }
    allocated++;
    return new byte[MIN_BYTES << c];
  }

  /**
   * Takes back an array that {@link #take} lent; no one may use it afterwards. Arrays of other
   * sizes (and any beyond the retention limit) are dropped.
   */
  void giveBack(byte[] array) {
    int n = array.length;
    if (n < MIN_BYTES
        || n > MAX_POOLED_BYTES
        || Integer.bitCount(n) != 1
        || retainedBytes + n > MAX_RETAINED_BYTES) {
      return;
    }
    int c = sizeClass(n);
    byte[][] stack = free[c];
    if (stack == null || count[c] == stack.length) {
      stack = java.util.Arrays.copyOf(stack == null ? new byte[4][] : stack, count[c] * 2 + 4);
      free[c] = stack;
    }
    stack[count[c]++] = array;
    retainedBytes += n;
  }

  /** The length of the array {@link #take} lends for {@code minBytes}, known before taking it. */
  static int lengthFor(int minBytes) {
    return minBytes > MAX_POOLED_BYTES ? minBytes : MIN_BYTES << sizeClass(minBytes);
  }

  /** Bytes in free arrays waiting here. */
  long retainedBytes() {
    return retainedBytes;
  }

  /** Arrays ever allocated here (a pool that works allocates few). */
  long allocatedCount() {
    return allocated;
  }

  /**
   * The class whose arrays hold {@code bytes}: 0 for up to {@link #MIN_BYTES}, then by doubling.
   */
  private static int sizeClass(int bytes) {
    if (bytes <= MIN_BYTES) {
      return 0;
    }
    return 32 - Integer.numberOfLeadingZeros(bytes - 1) - MIN_SHIFT;
  }
}
