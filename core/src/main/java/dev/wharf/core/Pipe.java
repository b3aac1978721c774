package dev.wharf.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bytes handed from a connection's event loop to one reading thread, as Okio's {@code Pipe}: the
 * loop {@linkplain #offer offers} what it read, the reader reads this stream (an HTTP request body
 * on a handler's thread, a WebSocket message on the listener's).
 *
 * <p>Bounded twice. At the high watermark {@link #offer} asks the loop to stop reading from the
 * socket (TCP flow control then holds the peer back), and once the reader has taken the buffer
 * below the low watermark the {@link Flow} is told it may read again. And what is buffered counts
 * against the {@link MemoryBudget} all connections share: when the budget is spent the chunk
 * already read is still taken (it is out of the socket), but the loop is asked to pause until the
 * reader has taken everything, so each connection holds at most one read past the budget.
 *
 * <p>The loop side ({@link #offer}, {@link #finish}, {@link #fail}) runs on one thread, the reading
 * side on one other. {@link Flow} is called on the reading thread and never under the pipe's lock:
 * it hands its work to the loop.
 */
public final class Pipe extends InputStream {

  /** What the reading side tells the loop. */
  public interface Flow {
    /** The reader wants data for the first time and none has come (send 100 Continue, say). */
    default void firstRead() {}

    /** The loop paused at an {@link #offer}'s request may read again. */
    void drained();
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
  private final long highWater;
  private final long lowWater;
  private final MemoryBudget budget;
  private final Flow flow;
  private long buffered;

  /** Of {@link #buffered}, the bytes held in the budget (the rest came when it was spent). */
  private long reserved;

  private long received;
  private boolean paused;

  /** Paused because the budget was spent: resumes only once the reader took everything. */
  private boolean overBudget;

  private boolean ended;
  private boolean readStarted;
  private boolean closedByReader;
  private IOException failure;

  /**
   * @param highWater buffered bytes at which the loop is asked to pause
   * @param lowWater buffered bytes below which a paused loop is told to read again
   */
  public Pipe(long highWater, long lowWater, MemoryBudget budget, Flow flow) {
    if (lowWater <= 0 || lowWater > highWater) {
      throw new IllegalArgumentException(
          "watermarks must be 0 < low <= high: low " + lowWater + ", high " + highWater);
    }
    this.highWater = highWater;
    this.lowWater = lowWater;
    this.budget = Objects.requireNonNull(budget);
    this.flow = Objects.requireNonNull(flow);
  }

  // ---- loop side ----

  /**
   * Takes a copy of what is left of {@code chunk}; returns true when the loop should stop reading
   * until {@link Flow#drained}.
   */
  public boolean offer(ByteBuffer chunk) {
    int n = chunk.remaining();
    lock.lock();
    try {
      received += n;
      if (closedByReader) {
        chunk.position(chunk.limit()); // The reader no longer wants it.
        return false;
      }
      return add(ByteBuffer.allocate(n).put(chunk).flip());
    } finally {
      lock.unlock();
    }
  }

  /**
   * As {@link #offer(ByteBuffer)}, taking {@code owned} itself: the caller no longer touches it.
   */
  public boolean offer(byte[] owned) {
    lock.lock();
    try {
      received += owned.length;
      return !closedByReader && add(ByteBuffer.wrap(owned));
    } finally {
      lock.unlock();
    }
  }

  private boolean add(ByteBuffer chunk) {
    int n = chunk.remaining();
    if (n == 0 || ended || failure != null) {
      return false;
    }
    chunks.add(chunk);
    buffered += n;
    if (budget.tryReserve(n)) {
      reserved += n;
    } else {
      overBudget = true;
    }
    changed.signalAll();
    if ((buffered >= highWater || overBudget) && !paused) {
      paused = true;
      return true;
    }
    return false;
  }

  /** All bytes have come: the reader reads what is buffered, then the end. */
  public void finish() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The bytes will not all come: the reader reads what is buffered, then gets {@code cause}. Does
   * nothing once finished or failed.
   */
  public void fail(IOException cause) {
    lock.lock();
    try {
      if (!ended && failure == null) {
        failure = Objects.requireNonNull(cause);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Why the loop failed this pipe, if it did. */
  public Optional<IOException> failure() {
    lock.lock();
    try {
      return Optional.ofNullable(failure);
    } finally {
      lock.unlock();
    }
  }

  /** True once all bytes have come ({@link #finish}). */
  public boolean isComplete() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes offered so far, read or not. */
  public long received() {
    lock.lock();
    try {
      return received;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes offered and not yet read. */
  public long buffered() {
    lock.lock();
    try {
      return buffered;
    } finally {
      lock.unlock();
    }
  }

  /** True while the loop is asked to stop reading, until {@link Flow#drained}. */
  public boolean isPaused() {
    lock.lock();
    try {
      return paused;
    } finally {
      lock.unlock();
    }
  }

  // ---- reading side ----

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, into.length);
    if (length == 0) {
      return 0;
    }
    boolean signalDrained;
    int copied = 0;
    lock.lock();
    try {
      if (!awaitData()) {
        return -1;
      }
      while (copied < length && !chunks.isEmpty()) {
        ByteBuffer head = chunks.peek();
        int n = Math.min(head.remaining(), length - copied);
        head.get(into, offset + copied, n);
        copied += n;
        if (!head.hasRemaining()) {
          chunks.poll();
        }
      }
      signalDrained = taken(copied);
    } finally {
      lock.unlock();
    }
    if (signalDrained) {
      flow.drained();
    }
    return copied;
  }

  /**
   * Hands each chunk as it comes straight to {@code out}, with no buffer of its own, and
   * {@linkplain OutputStream#flush flushes} {@code out} before every wait for more: while the peer
   * is silent, nothing waits in between (a file that closes on flush holds no descriptor
   * meanwhile).
   */
  @Override
  public long transferTo(OutputStream out) throws IOException {
    long total = 0;
    for (ByteBuffer chunk; (chunk = nextChunk(out)) != null; ) {
      out.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
      total += chunk.remaining();
    }
    return total;
  }

  /** The next chunk whole, flushing {@code out} first if it has to wait; null at the end. */
  private ByteBuffer nextChunk(OutputStream out) throws IOException {
    boolean signalDrained;
    ByteBuffer chunk;
    lock.lock();
    try {
      if (readStarted && chunks.isEmpty() && !ended && failure == null && !closedByReader) {
        lock.unlock(); // Never call out while holding the lock.
        try {
          out.flush();
        } finally {
          lock.lock();
        }
      }
      if (!awaitData()) {
        return null;
      }
      chunk = chunks.poll();
      signalDrained = taken(chunk.remaining());
    } finally {
      lock.unlock();
    }
    if (signalDrained) {
      flow.drained();
    }
    return chunk;
  }

  /**
   * Waits, holding the lock, until there is data, the end or a failure; false at the end. The first
   * wait of all tells the flow that the reader wants data.
   */
  private boolean awaitData() throws IOException {
    if (!readStarted) {
      readStarted = true;
      if (chunks.isEmpty() && !ended && failure == null) {
        lock.unlock();
        try {
          flow.firstRead();
        } finally {
          lock.lock();
        }
      }
    }
    try {
      while (chunks.isEmpty() && !ended && failure == null && !closedByReader) {
        // The loop's deadlines (body rate, connection close) end every wait with a failure.
        changed.await(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for data");
    }
    if (!chunks.isEmpty()) {
      return true;
    }
    if (failure != null) {
      throw failure;
    }
    if (closedByReader) {
      throw new IOException("stream closed");
    }
    return false;
  }

  /**
   * After {@code n} bytes were taken: gives back their part of the budget; true if the loop may
   * read again (below the low watermark, and after a spent budget only once all is taken).
   */
  private boolean taken(long n) {
    buffered -= n;
    releaseAbove(buffered);
    if (paused && buffered < lowWater && (!overBudget || buffered == 0)) {
      paused = false;
      overBudget = false;
      return true;
    }
    return false;
  }

  /** Releases what is reserved beyond {@code keep} bytes. */
  private void releaseAbove(long keep) {
    if (reserved > keep) {
      budget.release(reserved - keep);
      reserved = keep;
    }
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return (int) Math.min(Integer.MAX_VALUE, buffered);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The reader is done: drops what is buffered and what still comes, gives the budget back and lets
   * a paused loop read on. Reads after it fail.
   */
  @Override
  public void close() {
    boolean signalDrained;
    lock.lock();
    try {
      closedByReader = true;
      chunks.clear();
      buffered = 0;
      releaseAbove(0);
      signalDrained = paused;
      paused = false;
      overBudget = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (signalDrained) {
      flow.drained();
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "Pipe[" + buffered + " of " + received + " bytes buffered]";
    } finally {
      lock.unlock();
    }
  }
}
