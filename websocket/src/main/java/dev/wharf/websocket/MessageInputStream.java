package dev.wharf.websocket;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A message's bytes as they arrive, handed from the connection's loop ({@link #offer}, {@link
 * #finish}, {@link #fail}) to the listener's thread, which reads. Once the reader is done ({@link
 * #abandon}), further bytes are dropped.
 *
 * <p>Thread-safe: one loop writes, one thread reads.
 */
final class MessageInputStream extends InputStream {

  /** Told on the reading thread when what is buffered drops. */
  interface Consumed {
    void consumed(long bufferedBytes);
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private final Consumed consumed;
  private byte[] current;
  private int currentPos;
  private long buffered;
  private boolean finished;
  private boolean abandoned;
  private IOException failure;

  MessageInputStream(Consumed consumed) {
    this.consumed = consumed;
  }

  /** Adds bytes (the array is handed over); returns what is buffered now. Loop only. */
  long offer(byte[] chunk) {
    lock.lock();
    try {
      if (abandoned || finished || failure != null) {
        return buffered;
      }
      chunks.add(chunk);
      buffered += chunk.length;
      arrived.signalAll();
      return buffered;
    } finally {
      lock.unlock();
    }
  }

  void finish() {
    lock.lock();
    try {
      finished = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void fail(IOException error) {
    lock.lock();
    try {
      if (!finished && failure == null) {
        failure = error;
      }
      chunks.clear();
      buffered = 0;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The reader is done: drop what is left and what may still come. */
  void abandon() {
    lock.lock();
    try {
      abandoned = true;
      chunks.clear();
      current = null;
      buffered = 0;
    } finally {
      lock.unlock();
    }
    consumed.consumed(0);
  }

  long buffered() {
    lock.lock();
    try {
      return buffered;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] into, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, into.length);
    if (len == 0) {
      return 0;
    }
    long left;
    int n;
    lock.lock();
    try {
      while (current == null || currentPos == current.length) {
        current = chunks.poll();
        currentPos = 0;
        if (current != null) {
          continue;
        }
        if (failure != null) {
          throw new IOException(failure.getMessage(), failure);
        }
        if (finished || abandoned) {
          return -1;
        }
        arrived.await(1, TimeUnit.SECONDS);
      }
      n = Math.min(len, current.length - currentPos);
      System.arraycopy(current, currentPos, into, off, n);
      currentPos += n;
      buffered -= n;
      left = buffered;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for message data");
    } finally {
      lock.unlock();
    }
    consumed.consumed(left);
    return n;
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

  @Override
  public void close() {
    abandon();
  }
}
