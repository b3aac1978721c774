package dev.wharf.http;

import dev.wharf.core.MemoryBudget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body as it arrives: the loop {@linkplain #offer offers} chunks, a handler's virtual
 * thread reads them. Bounded: past {@link #HIGH_WATER} buffered bytes the loop stops reading from
 * the socket, so a client cannot send faster than the handler consumes (TCP flow control does the
 * rest); below {@link #LOW_WATER} reading resumes.
 *
 * <p>The bytes buffered count against the {@link MemoryBudget} all connections share: when it is
 * spent the chunk already read is still taken (it is out of the socket), but the loop stops reading
 * until the handler has taken everything buffered. So a connection holds at most one read past the
 * budget, and thousands of uploads cannot fill the heap between the socket and the disk.
 *
 * <p>The loop side ({@code offer}, {@code finish}, {@code fail}) runs on the connection's loop; the
 * reading side on one other thread.
 */
final class StreamedBody extends InputStream {
  static final int HIGH_WATER = 256 * 1024;
  static final int LOW_WATER = 64 * 1024;

  /** What the loop asks of the stream's reader side, run via the connection's loop. */
  interface Flow {
    /** The reader wants data for the first time (send 100 Continue if the client waits). */
    void firstRead();

    /** The buffer fell below the low-water mark after a pause. */
    void drained();
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
  private final Flow flow;
  private final MemoryBudget budget;
  private int buffered;

  /** Of {@link #buffered}, the bytes held in the budget (the rest came when it was spent). */
  private long reserved;

  /** Paused because the budget was spent: resumes only once the handler took everything. */
  private boolean overBudget;

  private long received;
  private boolean paused;
  private boolean ended;
  private boolean readStarted;
  private boolean closedByReader;
  private IOException failure;

  StreamedBody(Flow flow, MemoryBudget budget) {
    this.flow = flow;
    this.budget = budget;
  }

  // ---- loop side ----

  /**
   * Takes a copy of {@code chunk}; returns true when the reader is behind and the loop should stop
   * reading until {@link Flow#drained}.
   */
  boolean offer(ByteBuffer chunk) {
    int n = chunk.remaining();
    lock.lock();
    try {
      received += n;
      if (closedByReader) {
        chunk.position(chunk.limit()); // The handler no longer wants it.
        return false;
      }
      ByteBuffer copy = ByteBuffer.allocate(n).put(chunk).flip();
      chunks.add(copy);
      buffered += n;
      if (budget.tryReserve(n)) {
        reserved += n;
      } else {
        overBudget = true;
      }
      changed.signalAll();
      if ((buffered >= HIGH_WATER || overBudget) && !paused) {
        paused = true;
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  void finish() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void fail(IOException cause) {
    lock.lock();
    try {
      if (!ended) {
        failure = cause;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Why the loop failed this body because of the client (too slow, broke off, broke the framing),
   * if it did: whatever a handler then throws, that is the answer.
   */
  java.util.Optional<RequestBodyException> clientFailure() {
    lock.lock();
    try {
      return failure instanceof RequestBodyException e
          ? java.util.Optional.of(e)
          : java.util.Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** True once the whole body arrived. */
  boolean isComplete() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes received from the client so far, read or not. */
  long received() {
    lock.lock();
    try {
      return received;
    } finally {
      lock.unlock();
    }
  }

  /** True while the loop has stopped reading because the handler is behind. */
  boolean isPaused() {
    lock.lock();
    try {
      return paused;
    } finally {
      lock.unlock();
    }
  }

  // ---- reader side ----

  /**
   * Hands each chunk as it comes straight to {@code out}, with no buffer of its own, and
   * {@linkplain OutputStream#flush flushes} {@code out} before every wait for the client: a stalled
   * body then holds nothing in between (an upload's file lets go of its descriptor on flush).
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
      boolean firstRead = !readStarted;
      readStarted = true;
      if (chunks.isEmpty() && !ended && failure == null && !closedByReader) {
        lock.unlock(); // Never call out while holding the lock.
        try {
          out.flush();
        } finally {
          lock.lock();
        }
      }
      if (awaitData(firstRead) < 0) {
        return null;
      }
      chunk = chunks.poll();
      buffered -= chunk.remaining();
      signalDrained = taken();
    } finally {
      lock.unlock();
    }
    if (signalDrained) {
      flow.drained();
    }
    return chunk;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    java.util.Objects.checkFromIndexSize(offset, length, into.length);
    if (length == 0) {
      return 0;
    }
    boolean signalFirstRead = false;
    boolean signalDrained = false;
    int n;
    lock.lock();
    try {
      if (!readStarted) {
        readStarted = true;
        signalFirstRead = true;
      }
      n = awaitData(signalFirstRead);
      if (n > 0) {
        n = take(into, offset, length);
        signalDrained = taken();
      }
    } finally {
      lock.unlock();
    }
    if (signalDrained) {
      flow.drained();
    }
    return n;
  }

  /** Waits until there is data, the end or a failure; returns -1 at the end, else 1. */
  private int awaitData(boolean firstRead) throws IOException {
    if (firstRead && chunks.isEmpty() && !ended && failure == null) {
      lock.unlock(); // Never call out while holding the lock.
      try {
        flow.firstRead();
      } finally {
        lock.lock();
      }
    }
    try {
      while (chunks.isEmpty() && !ended && failure == null && !closedByReader) {
        // The loop's deadlines (body rate, connection close) end every wait with a failure.
        changed.await(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading the request body");
    }
    if (!chunks.isEmpty()) {
      return 1;
    }
    if (failure != null) {
      throw failure;
    }
    if (closedByReader) {
      throw new IOException("request body stream closed");
    }
    return -1;
  }

  /**
   * After bytes were taken: gives back their part of the budget; true if the loop may read again
   * (below the low-water mark, and past a spent budget only once all is taken).
   */
  private boolean taken() {
    releaseAbove(buffered);
    if (paused && buffered < LOW_WATER && (!overBudget || buffered == 0)) {
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

  private int take(byte[] into, int offset, int length) {
    int copied = 0;
    while (copied < length && !chunks.isEmpty()) {
      ByteBuffer head = chunks.peek();
      int n = Math.min(head.remaining(), length - copied);
      head.get(into, offset + copied, n);
      copied += n;
      if (!head.hasRemaining()) {
        chunks.poll();
      }
    }
    buffered -= copied;
    return copied;
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return buffered;
    } finally {
      lock.unlock();
    }
  }

  /** Discards what is buffered and what still comes; the connection closes after the response. */
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
}
