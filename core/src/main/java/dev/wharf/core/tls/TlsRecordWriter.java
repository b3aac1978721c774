package dev.wharf.core.tls;

import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.LazyLogger;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The writing half of a TLS connection: plaintext and files in from the application, records out to
 * the transport, in the order they were written.
 *
 * <ul>
 *   <li>Small writes wait in pooled segments until the connection says to encrypt (at the end of
 *       the event that made them), so several become one record; full records are encrypted as soon
 *       as there is a record's worth.
 *   <li>A write of a record or more with nothing waiting is encrypted straight from the caller's
 *       buffer; only its tail is copied.
 *   <li>Records are made in the thread's heap buffer, several at a time, and go to the transport in
 *       one write. Every wrap, handshake messages included, goes through that one buffer, so
 *       records leave in the order the engine numbered them.
 *   <li>A file is read 64 KiB at a time into a direct buffer and encrypted (there is no sendfile
 *       under TLS), only while the transport has room, and at most 1 MiB a turn.
 * </ul>
 *
 * <p>Confined to the connection's loop.
 */
final class TlsRecordWriter {
  private static final System.Logger LOG = LazyLogger.of(TlsRecordWriter.class);
  private static final ByteBuffer[] NOTHING = {};

  /** The most plaintext one record carries. */
  static final int MAX_FRAGMENT = 16 * 1024;

  /** How much of a file one turn encrypts before letting other connections run. */
  private static final long FILE_BYTES_PER_TURN = 1 << 20;

  /** The most segments one wrap gathers; a record spans two at most. */
  private static final int GATHER = 8;

  /** What the writer tells the connection. */
  interface Events {
    /** A wrap left the engine wanting handshake work ({@code FINISHED}, a task, another wrap). */
    void handshakeStatus(HandshakeStatus status);

    void failed(SSLException error);

    /** A file is waiting for the next turn: encrypt again then. */
    void continueLater();

    boolean closed();
  }

  private final SSLEngine engine;
  private final Connection transport;
  private final TlsBuffers buffers;
  private final Events events;

  /** Plaintext waiting to be encrypted: pooled segments (in read mode) and files, in order. */
  private final ArrayDeque<Object> pending = new ArrayDeque<>(4);

  private final ByteBuffer[] gather = new ByteBuffer[GATHER];
  private final ByteBuffer[] single = new ByteBuffer[1];

  /** Records being made, while a batch is under way; null otherwise. */
  private ByteBuffer records;

  private long pendingBytes;

  /** An encryption of queued or written data is under way; nothing else may take from the queue. */
  private boolean busy;

  /** Someone asked for {@link #encryptPending} while busy. */
  private boolean again;

  private boolean outboundDone;

  TlsRecordWriter(SSLEngine engine, Connection transport, TlsBuffers buffers, Events events) {
    this.engine = engine;
    this.transport = transport;
    this.buffers = buffers;
    this.events = events;
  }

  /** Plaintext and file bytes not yet encrypted. */
  long pendingBytes() {
    return pendingBytes;
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  /** Whether our close_notify went out (or the engine can send nothing more). */
  boolean isOutboundDone() {
    return outboundDone;
  }

  /**
   * Takes a write: encrypted now if it is a record or more and nothing waits ({@code mayEncrypt},
   * once the handshake is done), otherwise queued. Consumes all of {@code data}.
   */
  void write(ByteBuffer data, boolean mayEncrypt) {
    // Not from inside an encryption (a writability callback, say): the queue keeps the order.
    boolean idle = mayEncrypt && !busy;
    if (idle && pending.isEmpty() && data.remaining() >= MAX_FRAGMENT) {
      int whole = data.remaining() - data.remaining() % MAX_FRAGMENT;
      ByteBuffer head = data.slice(data.position(), whole);
      data.position(data.position() + whole);
      // The tail waits first, so that whatever a callback writes meanwhile queues behind it.
      append(data);
      busy = true;
      try {
        single[0] = head;
        encrypt(single);
      } finally {
        single[0] = null;
        busy = false;
      }
      if (head.hasRemaining() && !events.closed() && !outboundDone) {
        prepend(head); // The engine took no data now (a handshake message came first).
      }
    } else {
      append(data);
    }
    if (idle && pendingBytes >= MAX_FRAGMENT && pending.peekFirst() instanceof ByteBuffer) {
      busy = true;
      try {
        encryptSegments(false); // Full records now; the tail waits for more to join it.
      } finally {
        busy = false;
      }
    }
    if (again) {
      encryptPending();
    }
  }

  void writeFile(FileChannel file, long position, long count) {
    pending.addLast(new FileSlice(file, position, count));
    pendingBytes += count;
  }

  /**
   * Encrypts the queue in order: segments, then files as far as the transport has room. Asked for
   * while an encryption is under way (by a callback it caused), it runs once that one is done,
   * since two passes over the queue at once would encrypt the same bytes twice.
   */
  void encryptPending() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        while (!pending.isEmpty() && !events.closed() && !outboundDone) {
          if (pending.peekFirst() instanceof FileSlice file) {
            if (!sendFile(file)) {
              break;
            }
            pending.pollFirst();
            file.close();
          } else if (!encryptSegments(true)) {
            break; // The engine takes no data now; what waits goes out after the next read.
          }
        }
      } while (again && !pending.isEmpty() && !events.closed() && !outboundDone);
    } finally {
      busy = false;
      again = false;
    }
  }

  /** Sends the handshake message the engine has to wrap; false if it made none. */
  boolean wrapHandshake() {
    return encrypt(NOTHING);
  }

  /** Sends close_notify; nothing is encrypted after it. */
  void sendCloseNotify() {
    if (outboundDone) {
      return;
    }
    engine.closeOutbound();
    boolean started = beginRecords();
    try {
      for (int i = 0; i < 4 && !engine.isOutboundDone() && !events.closed(); i++) {
        if (!encryptRecord(NOTHING)) {
          break;
        }
      }
    } finally {
      endRecords(started);
    }
    outboundDone = true;
  }

  /** After a failure: sends the alert the engine made, after what was made before it. */
  void sendAlert() {
    boolean started = beginRecords();
    try {
      sendRecords();
      engine.wrap(NOTHING, records);
      sendRecords();
    } catch (SSLException | RuntimeException ignored) {
      // No alert to send; the close says enough.
    } finally {
      endRecords(started);
    }
    outboundDone = true;
  }

  /** Sends nothing more (the engine is in a state whose output must not go out). */
  void stop() {
    outboundDone = true;
  }

  /** Gives back the segments and closes the files; the connection closed. */
  void release() {
    for (Object entry : pending) {
      if (entry instanceof ByteBuffer segment) {
        buffers.segments.release(segment);
      } else {
        ((FileSlice) entry).close();
      }
    }
    pending.clear();
    pendingBytes = 0;
  }

  // ---- internals ----

  /** Copies plaintext into pooled segments, filling the last one first. */
  private void append(ByteBuffer data) {
    int added = data.remaining();
    while (data.hasRemaining()) {
      ByteBuffer tail =
          pending.peekLast() instanceof ByteBuffer b && b.limit() < b.capacity() ? b : null;
      if (tail == null) {
        tail = buffers.segments.acquire();
        tail.limit(0);
        pending.addLast(tail);
      }
      int at = tail.limit();
      int n = Math.min(data.remaining(), tail.capacity() - at);
      tail.limit(at + n);
      tail.put(at, data, data.position(), n);
      data.position(data.position() + n);
    }
    pendingBytes += added;
  }

  /** Puts plaintext back at the head of the queue, ahead of everything waiting. */
  private void prepend(ByteBuffer data) {
    var segments = new ArrayDeque<ByteBuffer>();
    int added = data.remaining();
    while (data.hasRemaining()) {
      ByteBuffer segment = buffers.segments.acquire();
      int n = Math.min(data.remaining(), segment.capacity());
      segment.limit(n);
      segment.put(0, data, data.position(), n);
      data.position(data.position() + n);
      segments.addLast(segment);
    }
    while (!segments.isEmpty()) {
      pending.addFirst(segments.pollLast());
    }
    pendingBytes += added;
  }

  /**
   * Encrypts the segments at the head of the queue: all of them, or ({@code all} false) only as
   * many full records as they make. False if the engine took none (a handshake is under way).
   */
  private boolean encryptSegments(boolean all) {
    boolean started = beginRecords();
    try {
      while (pending.peekFirst() instanceof ByteBuffer && !events.closed() && !outboundDone) {
        int count = 0;
        long available = 0;
        for (Object entry : pending) {
          if (!(entry instanceof ByteBuffer segment) || count == GATHER) {
            break;
          }
          gather[count++] = segment;
          available += segment.remaining();
        }
        if (!all && available < MAX_FRAGMENT) {
          clear(gather, count);
          return true;
        }
        boolean ok = encryptRecord(gather, count);
        if (events.closed()) {
          // Closed while encrypting: release() already gave every pending segment back.
          clear(gather, count);
          return false;
        }
        long left = 0;
        for (int i = 0; i < count; i++) {
          left += gather[i].remaining();
        }
        pendingBytes -= available - left;
        for (int i = 0; i < count && !gather[i].hasRemaining(); i++) {
          pending.pollFirst();
          buffers.segments.release(gather[i]);
        }
        clear(gather, count);
        if (!ok) {
          return false;
        }
      }
      return true;
    } finally {
      endRecords(started);
    }
  }

  /**
   * Encrypts a stretch of a file while the transport has room; true when the file is done. Stopped
   * for room, it goes on when the transport is writable again; stopped after its share of this
   * turn, in the next.
   */
  private boolean sendFile(FileSlice file) {
    ByteBuffer chunk = buffers.borrowFile();
    long sent = 0;
    try {
      while (file.remaining > 0 && transport.isWritable() && !events.closed() && !outboundDone) {
        if (sent >= FILE_BYTES_PER_TURN) {
          events.continueLater();
          return false;
        }
        chunk.clear().limit((int) Math.min(chunk.capacity(), file.remaining));
        int n = file.channel.read(chunk, file.position);
        if (n < 0) {
          throw new EOFException("the file ended " + file.remaining + " bytes early");
        }
        file.position += n;
        file.remaining -= n;
        pendingBytes -= n;
        sent += n;
        single[0] = chunk.flip();
        encrypt(single);
        single[0] = null;
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> transport + ": reading a file to send failed: " + e);
      transport.close(CloseReason.error(e));
      return false;
    } finally {
      buffers.giveBack(chunk);
    }
    return file.remaining == 0;
  }

  /** Encrypts all of the sources; false if the engine stopped taking them. */
  private boolean encrypt(ByteBuffer[] sources) {
    boolean started = beginRecords();
    try {
      do {
        if (!encryptRecord(sources, sources.length)) {
          return false;
        }
      } while (remaining(sources) > 0 && !events.closed());
      return !events.closed();
    } finally {
      endRecords(started);
    }
  }

  private boolean encryptRecord(ByteBuffer[] sources) {
    return encryptRecord(sources, sources.length);
  }

  /** One wrap into the batch: one record, or one handshake message. */
  private boolean encryptRecord(ByteBuffer[] sources, int count) {
    int room = engine.getSession().getPacketBufferSize();
    if (records.remaining() < room) {
      sendRecords();
      if (events.closed()) {
        return false;
      }
      if (records.capacity() < room) {
        buffers.giveBack(records);
        records = buffers.borrowRecords(room);
      }
    }
    SSLEngineResult result;
    try {
      result = engine.wrap(sources, 0, count, records);
    } catch (SSLException e) {
      events.failed(e);
      return false;
    }
    switch (result.getStatus()) {
      case CLOSED -> {
        outboundDone = true;
        sendRecords();
        return false;
      }
      case BUFFER_OVERFLOW -> {
        sendRecords();
        return !events.closed();
      }
      default -> {}
    }
    HandshakeStatus status = result.getHandshakeStatus();
    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
      // The engine waits for the peer (a handshake under way): the data waits too.
      if (status == HandshakeStatus.NEED_TASK) {
        events.handshakeStatus(status);
      }
      return false;
    }
    if (status == HandshakeStatus.FINISHED) {
      sendRecords(); // Our Finished goes out before anything the application says.
    }
    if (status != HandshakeStatus.NOT_HANDSHAKING) {
      events.handshakeStatus(status);
    }
    return !events.closed();
  }

  /**
   * Starts a batch of records, or joins the one under way (a handshake message made while
   * encrypting data goes into the same buffer). True if this call started it, and must end it.
   */
  private boolean beginRecords() {
    if (records != null) {
      return false;
    }
    records = buffers.borrowRecords(engine.getSession().getPacketBufferSize());
    return true;
  }

  /** Ends a batch this call started: writes its records and gives the buffer back. */
  private void endRecords(boolean started) {
    if (started && records != null) {
      ByteBuffer batch = records;
      try {
        sendRecords();
      } finally {
        records = null;
        buffers.giveBack(batch);
      }
    }
  }

  /** Hands the records made so far to the transport. */
  private void sendRecords() {
    if (records != null && records.position() > 0) {
      records.flip();
      transport.write(records);
      records.clear();
    }
  }

  private static long remaining(ByteBuffer[] sources) {
    long total = 0;
    for (ByteBuffer source : sources) {
      total += source.remaining();
    }
    return total;
  }

  private static void clear(ByteBuffer[] array, int count) {
    for (int i = 0; i < count; i++) {
      array[i] = null;
    }
  }

  /** A stretch of a file waiting to be encrypted. */
  private static final class FileSlice {
    final FileChannel channel;
    long position;
    long remaining;

    FileSlice(FileChannel channel, long position, long remaining) {
      this.channel = channel;
      this.position = position;
      this.remaining = remaining;
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Only read from; nothing is lost.
      }
    }
  }
}
