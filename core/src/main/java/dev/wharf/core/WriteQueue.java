package dev.wharf.core;

import dev.wharf.core.internal.BufferPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * A connection's outgoing bytes, in order, and how many there are: copies in segments from the
 * loop's pool (each filled to its capacity before the next is taken) and file regions, sent with
 * gathering writes and {@code transferTo}.
 *
 * <p>It keeps its entries in a ring of its own rather than in an {@code ArrayDeque}: the queue
 * takes the place of the deque a connection used to hold, one object for one, so splitting the
 * queue out of {@link StreamConnection} costs no object per connection. A connection holds a queue
 * only while bytes are queued: an emptied queue, with its ring, goes back to the loop for the next
 * connection that writes ({@code EventLoop.takeWriteQueue}), so an idle connection holds none.
 *
 * <p>Not thread-safe: a connection's loop owns its queue. The caller passes the loop's segment pool
 * and gather array rather than the queue keeping them, for the same reason.
 */
final class WriteQueue {
  private static final Object[] NONE = {};
  private static final int FIRST_CAPACITY = 4;

  /** Segments ({@link ByteBuffer}) and {@link FileRegion}s; a ring whose length is a power of 2. */
  private Object[] entries = NONE;

  private int head;
  private int size;
  private long pendingBytes;

  boolean isEmpty() {
    return size == 0;
  }

  /** Bytes queued and not yet taken by the socket. */
  long pendingBytes() {
    return pendingBytes;
  }

  /** Copies the buffer's remaining bytes to the end of the queue, consuming them. */
  void append(ByteBuffer data, BufferPool segments) {
    int added = data.remaining();
    while (data.hasRemaining()) {
      ByteBuffer tail = tailWithRoom(segments);
      int at = tail.limit();
      int n = Math.min(data.remaining(), tail.capacity() - at);
      tail.limit(at + n);
      tail.put(at, data, data.position(), n);
      data.position(data.position() + n);
    }
    pendingBytes += added;
  }

  /** Copies {@code length} bytes of {@code data} from {@code offset} to the end of the queue. */
  void append(byte[] data, int offset, int length, BufferPool segments) {
    int from = offset;
    int end = offset + length;
    while (from < end) {
      ByteBuffer tail = tailWithRoom(segments);
      int at = tail.limit();
      int n = Math.min(end - from, tail.capacity() - at);
      tail.limit(at + n);
      tail.put(at, data, from, n);
      from += n;
    }
    pendingBytes += length;
  }

  /**
   * Queues a file region of {@code count} bytes; the queue closes its file once sent or dropped.
   */
  void append(FileRegion region, long count) {
    addLast(region);
    pendingBytes += count;
  }

  /** The last segment if it has room, else a fresh one from the pool. */
  private ByteBuffer tailWithRoom(BufferPool segments) {
    if (size > 0 && at(size - 1) instanceof ByteBuffer b && b.limit() < b.capacity()) {
      return b;
    }
    ByteBuffer tail = segments.acquire();
    tail.limit(0);
    addLast(tail);
    return tail;
  }

  /**
   * Writes as much as {@code channel} takes now: until the queue is empty or the socket is full.
   * Runs of segments go in one gathering write, a segment alone in a plain one (up to {@code
   * gather.length} at a time; the array is scratch, cleared before return); sent segments go back
   * to {@code segments}, sent files are closed. {@link #pendingBytes()} drops by what went out,
   * also when a write fails part way.
   */
  void writeTo(GatheringByteChannel channel, ByteBuffer[] gather, BufferPool segments)
      throws IOException {
    while (size > 0) {
      if (at(0) instanceof FileRegion region) {
        pendingBytes -= region.transferTo(channel);
        if (region.remaining() > 0) {
          return;
        }
        removeFirst();
        region.close();
        continue;
      }
      int count = 0;
      while (count < gather.length && count < size && at(count) instanceof ByteBuffer segment) {
        gather[count++] = segment;
      }
      long n;
      try {
        // One segment (a keep-alive response; most writes) goes by write(2) rather than writev(2):
        // the JDK's gathering path fills an iovec array of its own, and the kernel copies it in.
        n = count == 1 ? channel.write(gather[0]) : channel.write(gather, 0, count);
      } finally {
        java.util.Arrays.fill(gather, 0, count, null);
      }
      pendingBytes -= n;
      boolean socketFull = false;
      for (int i = 0; i < count && !socketFull; i++) {
        ByteBuffer segment = (ByteBuffer) at(0);
        if (segment.hasRemaining()) {
          socketFull = true;
        } else {
          removeFirst();
          segments.release(segment);
        }
      }
      if (socketFull) {
        return;
      }
    }
  }

  /** Drops everything queued: segments go back to {@code segments}, files are closed. */
  void clear(BufferPool segments) {
    while (size > 0) {
      Object entry = removeFirst();
      if (entry instanceof ByteBuffer segment) {
        segments.release(segment);
      } else {
        ((FileRegion) entry).close();
      }
    }
    pendingBytes = 0;
  }

  // ---- the ring ----

  private Object at(int index) {
    return entries[(head + index) & (entries.length - 1)];
  }

  private void addLast(Object entry) {
    if (size == entries.length) {
      grow();
    }
    entries[(head + size) & (entries.length - 1)] = entry;
    size++;
  }

  private Object removeFirst() {
    Object entry = entries[head];
    entries[head] = null;
    head = (head + 1) & (entries.length - 1);
    size--;
    return entry;
  }

  /** Doubles the ring, unwrapping it so the head is at 0. */
  private void grow() {
    Object[] larger = new Object[Math.max(FIRST_CAPACITY, entries.length * 2)];
    for (int i = 0; i < size; i++) {
      larger[i] = at(i);
    }
    entries = larger;
    head = 0;
  }
}
