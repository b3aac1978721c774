package dev.wharf.core;

import dev.wharf.core.internal.TimerWheel;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A TCP or Unix-domain connection on an event loop: reads into the loop's buffer and hands it to
 * the protocol, queues writes (in its {@link WriteQueue}) and flushes them at the end of the event,
 * tells the protocol when the queue passes its watermarks, and enforces the idle, read and
 * write-stall timeouts.
 *
 * <p>A graceful close of a connection whose peer has not closed its side yet <em>lingers</em>, as
 * nginx's {@code lingering_close}: FIN goes out, then input is read and thrown away until the
 * peer's FIN, an error or a deadline ({@link Timeouts#lingeringTimeout()} of silence, {@link
 * Timeouts#lingeringTime()} in all), and only then is the socket closed. Closing a TCP socket with
 * unread input makes Linux send RST instead of FIN, and the RST can make the peer's kernel drop
 * what we sent just before it (a final error response, a WebSocket Close, a TLS alert), or fail the
 * write of a peer that sends all before it reads. Lingering needs no allocation and no field beyond
 * one flag: it reuses the timeout timer (the connection itself), and {@code lastWriteNanos} (the
 * FIN was the last write) as its start.
 *
 * <p>All fields are confined to the loop's thread; public methods called from elsewhere are handed
 * to the loop. {@link #info()} may read the counters from another thread, racily, for display. The
 * exception is the count of bytes other threads have handed over for writing and the loop has not
 * queued yet ({@code inTransit}): writers add to it, the loop takes from it, and writability counts
 * it, so that a thread that writes faster than the loop queues is paused at the high watermark too
 * (see {@link #handOver}).
 */
final class StreamConnection extends TimerWheel.Timer implements Connection, EventLoop.Handler {
  private static final System.Logger LOG = LazyLogger.of(StreamConnection.class);
  private static final AtomicLong IDS = new AtomicLong();
  private static final int MAX_READS_PER_EVENT = 16;
  private static final VarHandle IN_TRANSIT;

  static {
    try {
      IN_TRANSIT =
          MethodHandles.lookup().findVarHandle(StreamConnection.class, "inTransit", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long id = IDS.incrementAndGet();
  private final EventLoop loop;
  private final SocketChannel channel;
  private final SelectionKey key;
  private final Transport transport;
  // Which side, as a boolean: one byte, not a four-byte reference (heap per idle connection).
  private final boolean serverSide;
  private final ConnectionSettings settings;
  private final ConnectionLimit limit;
  private final SocketAddress local;
  private final SocketAddress remote;
  // Millis, not an Instant: one object fewer on every connection, idle or not.
  private final long openedAtMillis = System.currentTimeMillis();
  // Null while nothing is queued: lent by the loop for a write and given back when it empties
  // (EventLoop#takeWriteQueue), so an idle connection holds no queue and a busy loop makes none.
  private WriteQueue queue;
  // The idle timeout in nanoseconds (it may change), read on every write and timer check; 0: off.
  private long idleNanos;

  /** Position in the loop's connection list, for O(1) removal; loop thread only. */
  int loopIndex;

  private Protocol protocol;
  // Volatile so other threads may ask isOpen() or isWritable(); they change rarely.
  private volatile ConnectionState state = ConnectionState.OPEN;
  private ConnectionInfo.ClosedFirst closedFirst = ConnectionInfo.ClosedFirst.NOT_YET;
  private volatile boolean writable = true;

  /**
   * Bytes copied by other threads' writes and handed to the loop, not yet in the queue; changed
   * through {@link #IN_TRANSIT} (a field, not an AtomicLong: no object more per connection).
   */
  @SuppressWarnings("unused") // Through IN_TRANSIT.
  private volatile long inTransit;

  /** A writer on another thread saw the watermark passed and the loop has not turned unwritable. */
  private volatile boolean transitFull;

  private boolean flushScheduled;
  private boolean closeWhenFlushed;
  private boolean shutdownWhenFlushed;
  private boolean inputShut;
  private boolean outputShut;
  private boolean readsSuspended;

  /** Closed to the protocol, FIN sent, still reading and discarding: see the class comment. */
  private boolean lingering;

  private long bytesIn;
  private long bytesOut;
  private long lastReadNanos;
  private long lastWriteNanos;

  /** When the protocol asked to be woken up ({@link #wakeUpAt}); MAX_VALUE for never. */
  private long wakeUpNanos = Long.MAX_VALUE;

  /** When the queue last made progress (or became non-empty); for the write-stall timeout. */
  private long writeProgressNanos;

  /**
   * A connection that does nothing until {@link #open()} (call on {@code loop}). {@code key} is the
   * channel's key if it was already registered (a client's connect), or null to register it here.
   * The connection gives its slot back to {@code limit} when its socket closes; the caller took it.
   */
  StreamConnection(
      EventLoop loop,
      SocketChannel channel,
      SelectionKey key,
      Transport transport,
      ConnectionInfo.Side side,
      ConnectionSettings settings,
      ConnectionLimit limit,
      Protocol protocol)
      throws IOException {
    this.loop = loop;
    this.channel = channel;
    this.key = key != null ? key : loop.register(channel, SelectionKey.OP_READ, null);
    this.transport = transport;
    this.serverSide = side == ConnectionInfo.Side.SERVER;
    this.settings = settings;
    this.limit = limit;
    this.protocol = protocol;
    this.local = channel.getLocalAddress();
    this.remote = channel.getRemoteAddress();
    this.idleNanos = settings.timeouts().idle().toNanos();
    long now = loop.now();
    this.lastReadNanos = now;
    this.lastWriteNanos = now;
  }

  /**
   * Starts the connection on its loop (call on it): registers for reads, arms the timeouts and
   * tells the protocol it is open.
   */
  StreamConnection open() {
    key.attach(this);
    key.interestOps(SelectionKey.OP_READ);
    loop.added(this);
    loop.group().registry().opened(this);
    armTimeouts();
    callOpened();
    if (loop.group().isShuttingDown()) {
      // Accepted just as a graceful shutdown began: wind down like the others.
      requestShutdown();
    }
    return this;
  }

  // ---- events from the selector ----

  @Override
  public void ready(SelectionKey readyKey) {
    if (lingering) {
      discardInput();
      return;
    }
    try {
      int ops = readyKey.readyOps();
      if ((ops & SelectionKey.OP_WRITE) != 0) {
        flushNow();
      }
      if ((ops & SelectionKey.OP_READ) != 0 && state != ConnectionState.CLOSED) {
        readNow();
        // Answer this peer now rather than after every other ready socket has been read: a
        // pipelining client waits on these bytes, and the batch can be long under load.
        flushIfScheduled();
      }
    } catch (java.nio.channels.CancelledKeyException e) {
      close(CloseReason.error(new IOException("selection key cancelled", e)));
    }
  }

  /** {@link #ready} threw (the loop has logged it): this connection closes, the others go on. */
  @Override
  public void failed(SelectionKey readyKey, Throwable error) {
    close(CloseReason.error(error));
  }

  private void readNow() {
    for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
      if (state == ConnectionState.CLOSED || inputShut || readsSuspended) {
        return;
      }
      ByteBuffer buffer = loop.readBuffer();
      int n;
      try {
        n = readCounted(buffer);
      } catch (IOException e) {
        closeOnIoError(e);
        return;
      }
      if (n <= 0) {
        if (n < 0) {
          onEndOfInput();
        }
        return;
      }
      buffer.flip();
      callReceived(buffer);
      if (n < buffer.capacity()) {
        return; // The socket is drained; don't pay for a read that returns 0.
      }
    }
  }

  private void onEndOfInput() {
    inputShut = true;
    if (closedFirst == ConnectionInfo.ClosedFirst.NOT_YET) {
      closedFirst = ConnectionInfo.ClosedFirst.PEER;
    }
    updateInterest();
    if (outputShut) {
      close(CloseReason.PEER);
      return;
    }
    if (state == ConnectionState.OPEN) {
      state = ConnectionState.INPUT_SHUT;
    }
    try {
      protocol.inputClosed(this);
    } catch (Throwable t) {
      closeOnHandlerFailure(t);
    }
  }

  // ---- writing ----

  @Override
  public void write(ByteBuffer data) {
    if (!inEventLoop()) {
      handOver(ByteBuffer.allocate(data.remaining()).put(data).flip());
      return;
    }
    if (state == ConnectionState.CLOSED || outputShut || shutdownWhenFlushed) {
      data.position(data.limit()); // Written into the void, as on a closed socket.
      return;
    }
    int count = data.remaining();
    if (count == 0) {
      return;
    }
    if (queueEmpty() && count >= EventLoop.SEGMENT_SIZE) {
      // A large write to an empty queue: try the socket first and copy only what it refuses.
      try {
        sent(channel.write(data));
      } catch (IOException e) {
        closeOnIoError(e);
        return;
      }
    }
    appendToQueue(data);
  }

  /**
   * As {@link #write(ByteBuffer)}, but copies straight from the array: a response head or a small
   * body needs no {@code ByteBuffer} wrapped around it on the way into the queue.
   */
  @Override
  public void write(byte[] data, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, data.length);
    if (!inEventLoop() || length >= EventLoop.SEGMENT_SIZE) {
      // Off the loop the copy is handed over as a buffer; a large write may go to the socket.
      write(ByteBuffer.wrap(data, offset, length));
      return;
    }
    if (state == ConnectionState.CLOSED || outputShut || shutdownWhenFlushed) {
      return; // Written into the void, as on a closed socket.
    }
    if (length == 0) {
      return;
    }
    startOfQueuedWrite();
    queueForWrite().append(data, offset, length, loop.segments());
    queued(length);
  }

  private void appendToQueue(ByteBuffer data) {
    int added = data.remaining();
    if (added == 0) {
      return;
    }
    startOfQueuedWrite();
    queueForWrite().append(data, loop.segments());
    queued(added);
  }

  // The read and write-stall timeouts in nanoseconds (0: off), from the settings the connections of
  // a listener share rather than two fields more on every connection.
  private long readNanos() {
    return settings.timeouts().read().toNanos();
  }

  private long stallNanos() {
    return settings.timeouts().writeStall().toNanos();
  }

  /** Bytes queued; on any thread a racy read, as the count of a queue the loop owns. */
  private long queuedBytes() {
    WriteQueue q = queue;
    return q == null ? 0 : q.pendingBytes();
  }

  private boolean queueEmpty() {
    WriteQueue q = queue;
    return q == null || q.isEmpty();
  }

  /** The queue to append to, borrowed from the loop if the connection has none. Loop only. */
  private WriteQueue queueForWrite() {
    if (queue == null) {
      queue = loop.takeWriteQueue();
    }
    return queue;
  }

  /** An emptied queue goes back to the loop for the next connection that writes. Loop only. */
  private void releaseQueueIfEmpty() {
    WriteQueue q = queue;
    if (q != null && q.isEmpty()) {
      queue = null;
      loop.giveWriteQueue(q);
    }
  }

  /** An empty queue starts the write-stall clock. */
  private void startOfQueuedWrite() {
    if (queuedBytes() == 0) {
      writeProgressNanos = loop.now();
    }
  }

  /**
   * A write from another thread: the copy goes to the loop as a task, and counts toward writability
   * until the loop has queued it. Without that, a thread that writes while the loop is busy would
   * see the connection writable however much it had handed over, and could fill the heap with
   * copies (a handler streaming a large answer pauses only while {@link #isWritable()} is false).
   *
   * <p>A writer that finds the queue and the bytes in transit past the high watermark marks the
   * connection full ({@code transitFull}, so that {@link #isWritable()} is false at once) and asks
   * the loop, with its copy, to turn unwritable; the loop then turns writable again, and tells the
   * protocol, as for its own writes, once the queue and what is still in transit drain to the low
   * watermark. The count is read before the queue's, and the loop queues a copy before it takes it
   * from the count, so a writer never misses a copy that is in neither.
   */
  private void handOver(ByteBuffer copy) {
    long n = copy.remaining();
    if (n == 0) {
      return;
    }
    long transit = (long) IN_TRANSIT.getAndAdd(this, n) + n;
    boolean crossed = transit + queuedBytes() > settings.watermarks().high();
    if (crossed) {
      transitFull = true;
    }
    if (!submit(() -> landed(copy, crossed))) {
      IN_TRANSIT.getAndAdd(this, -n);
    }
  }

  /** A copy handed over by {@link #handOver} reaches the loop: queue it, stop counting it. */
  private void landed(ByteBuffer copy, boolean crossed) {
    long n = copy.remaining();
    write(copy); // Counted twice until taken from the count: errs toward unwritable by one write.
    IN_TRANSIT.getAndAdd(this, -n);
    if (crossed) {
      // Its writer may be waiting for writabilityChanged(true): turn unwritable (if the loop had
      // not yet) so that it comes, now or as the queue drains.
      if (writable && state != ConnectionState.CLOSED) {
        writable = false;
        callWritabilityChanged(false);
      }
      transitFull = false; // After writable, so a reader sees one or the other.
    }
    if (state != ConnectionState.CLOSED) {
      writableAgainIfDrained();
    }
  }

  @Override
  public void writeFile(FileChannel file, long position, long count) {
    if (!inEventLoop()) {
      submit(() -> writeFile(file, position, count));
      return;
    }
    if (state == ConnectionState.CLOSED || outputShut || shutdownWhenFlushed) {
      new FileRegion(file, position, count).close();
      return;
    }
    startOfQueuedWrite();
    queueForWrite().append(new FileRegion(file, position, count), count);
    queued(count);
  }

  /** {@code count} bytes were just added to the queue. */
  private void queued(long count) {
    boolean wasEmpty = queuedBytes() == count;
    if (wasEmpty && stallNanos() > 0) {
      // The write-stall deadline starts now. The timer moves only if it would otherwise fire
      // after it: a connection answering request after request would else move it every time.
      loop.timers().scheduleBy(this, writeProgressNanos + stallNanos());
    }
    if (!flushScheduled) {
      flushScheduled = true;
      loop.flushLater(this);
    }
    if (writable && queuedBytes() + inTransit > settings.watermarks().high()) {
      writable = false;
      callWritabilityChanged(false);
    }
  }

  @Override
  public void flush() {
    if (inEventLoop()) {
      flushNow();
    } else {
      submit(this::flushNow);
    }
  }

  /** Flushes if a write asked for it and no flush ran since; loop only. */
  void flushIfScheduled() {
    if (flushScheduled) {
      flushNow();
    }
  }

  /** Writes as much of the queue as the socket takes; loop only. */
  void flushNow() {
    flushScheduled = false;
    if (state == ConnectionState.CLOSED) {
      return;
    }
    WriteQueue q = queue;
    if (q != null) {
      long before = q.pendingBytes();
      try {
        // The loop's scratch array: flushes never nest, and the queue clears it before returning.
        q.writeTo(channel, loop.gatherScratch(), loop.segments());
      } catch (IOException e) {
        sent(before - q.pendingBytes());
        closeOnIoError(e);
        return;
      }
      sent(before - q.pendingBytes());
      releaseQueueIfEmpty();
    }
    afterFlush();
  }

  /** The socket took {@code n} bytes. */
  private void sent(long n) {
    if (n > 0) {
      bytesOut += n;
      long now = loop.now();
      lastWriteNanos = now;
      writeProgressNanos = now;
    }
  }

  /** Once the queue and the bytes in transit are down to the low watermark: writable again. */
  private void writableAgainIfDrained() {
    if (!writable && queuedBytes() + inTransit <= settings.watermarks().low()) {
      writable = true;
      callWritabilityChanged(true);
    }
  }

  private void afterFlush() {
    writableAgainIfDrained();
    if (state == ConnectionState.CLOSED) {
      return;
    }
    if (queueEmpty()) {
      if (closeWhenFlushed) {
        close(CloseReason.LOCAL);
        return;
      }
      if (shutdownWhenFlushed && !outputShut) {
        shutdownOutputNow();
      }
    }
    updateInterest();
  }

  /** Queued, and handed over by other threads but not queued yet (see {@link #handOver}). */
  @Override
  public long pendingBytes() {
    return queuedBytes() + inTransit;
  }

  @Override
  public long bytesWritten() {
    return bytesOut; // No record made: asked once per response with an access log.
  }

  @Override
  public boolean isWritable() {
    return !transitFull && writable; // In this order: see landed().
  }

  // ---- flow control and closing ----

  @Override
  public void suspendReads() {
    onLoop(
        () -> {
          readsSuspended = true;
          updateInterest();
        });
  }

  @Override
  public void resumeReads() {
    onLoop(
        () -> {
          readsSuspended = false;
          updateInterest();
        });
  }

  private void updateInterest() {
    if (!key.isValid()) {
      return;
    }
    int ops = 0;
    if (!inputShut && (!readsSuspended || lingering)) { // A lingering close reads regardless.
      ops |= SelectionKey.OP_READ;
    }
    if (!queueEmpty()) {
      ops |= SelectionKey.OP_WRITE;
    }
    if (key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  @Override
  public void shutdownOutput() {
    onLoop(
        () -> {
          if (state == ConnectionState.CLOSED || outputShut) {
            return;
          }
          if (queueEmpty()) {
            shutdownOutputNow();
          } else {
            shutdownWhenFlushed = true;
          }
        });
  }

  private void shutdownOutputNow() {
    try {
      channel.shutdownOutput();
    } catch (IOException e) {
      closeOnIoError(e);
      return;
    }
    outputShut = true;
    if (closedFirst == ConnectionInfo.ClosedFirst.NOT_YET) {
      closedFirst = ConnectionInfo.ClosedFirst.LOCAL;
    }
    if (inputShut) {
      close(CloseReason.LOCAL);
    } else {
      state = ConnectionState.OUTPUT_SHUT;
    }
  }

  @Override
  public void close() {
    close(CloseReason.LOCAL);
  }

  @Override
  public void closeAfterFlush() {
    onLoop(
        () -> {
          if (state == ConnectionState.CLOSED) {
            return;
          }
          if (queueEmpty()) {
            close(CloseReason.LOCAL);
          } else {
            closeWhenFlushed = true;
            state = ConnectionState.DRAINING;
          }
        });
  }

  /**
   * Closes, telling the protocol why. A {@link CloseReason.Kind#LOCAL} close is graceful: it drops
   * what is still queued (as documented), sends FIN and may linger (see the class comment). Every
   * other kind (a failure, a timeout, the loop's shutdown) is abortive and closes the socket now.
   *
   * <p>The protocol hears {@code closed} here, once, also when the connection goes on lingering: it
   * has handed over all it will send, nothing it could receive would reach it (discarded bytes are
   * not its input), and its own close-time work (a WebSocket's onClose, a pool returning a slot)
   * should not wait up to {@link Timeouts#lingeringTime()} on a peer that is slow to close. The
   * socket itself, its place in the loop's list and the registry's count go when lingering ends, so
   * a graceful shutdown's drain waits for it.
   */
  @Override
  public void close(CloseReason requested) {
    if (!inEventLoop()) {
      submit(() -> close(requested));
      return;
    }
    if (state == ConnectionState.CLOSED) {
      return;
    }
    state = ConnectionState.CLOSED;
    // Closing after the peer's FIN only answers the peer's close.
    CloseReason reason =
        requested.kind() == CloseReason.Kind.LOCAL && closedFirst == ConnectionInfo.ClosedFirst.PEER
            ? CloseReason.PEER
            : requested;
    if (closedFirst == ConnectionInfo.ClosedFirst.NOT_YET) {
      closedFirst =
          reason.kind() == CloseReason.Kind.PEER
              ? ConnectionInfo.ClosedFirst.PEER
              : ConnectionInfo.ClosedFirst.LOCAL;
    }
    if (queue != null) {
      queue.clear(loop.segments());
      releaseQueueIfEmpty();
    }
    if (!(reason.kind() == CloseReason.Kind.LOCAL && shouldLinger() && startLingering())) {
      closeSocket();
    }
    try {
      protocol.closed(this, reason);
    } catch (Throwable t) {
      LOG.log(Level.WARNING, () -> protocol.name() + " failed in closed() on " + this, t);
    }
  }

  /** Releases the socket, the timer and the connection's place on the loop and in the registry. */
  private void closeSocket() {
    lingering = false;
    loop.timers().cancel(this);
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> "closing connection " + id, e);
    }
    loop.removed(this);
    loop.group().registry().closed(this);
    limit.release();
  }

  /** The loop is stopping: close now, lingering or not. */
  void closeOnLoopStop() {
    if (lingering) {
      closeSocket();
    } else {
      close(CloseReason.SHUTDOWN);
    }
  }

  // ---- making room ----

  /**
   * When this connection last read or wrote a byte, or {@link Long#MAX_VALUE} if it is not one to
   * close to make room in {@code full}: it counts elsewhere, or is closed or lingering already (and
   * so about to give its descriptor back).
   */
  long lastTrafficIfEvictableFrom(ConnectionLimit full) {
    if (limit != full || state == ConnectionState.CLOSED) {
      return Long.MAX_VALUE;
    }
    return Math.max(lastReadNanos, lastWriteNanos);
  }

  /**
   * Closed at once, without lingering, for a new connection: the server holds all it may, and no
   * other of its connections has gone as long without traffic.
   */
  void evict(int max, long quietNanos) {
    close(
        CloseReason.timeout(
            "closed to make room: the server holds its most, "
                + max
                + " connections, and this one had no traffic for the longest, "
                + format(quietNanos)));
  }

  // ---- lingering close ----

  /**
   * Whether a graceful close should linger: only while the peer may still send (no EOF read yet),
   * and not when lingering is off or SO_LINGER 0 asks for a reset on close. Unix sockets linger
   * too: their peer can still read what we sent, but its next write fails with a broken pipe, and a
   * client that sends all before it reads never gets to the answer.
   *
   * <p>nginx lingers when it knows input is pending or expected (an unread body, pipelined bytes, a
   * readable socket). The transport cannot know what the protocol still expects, and the failures
   * this prevents come from bytes that arrive just after the close (the next WebSocket frame, a TLS
   * client's first request after its Finished), when a probe would find the socket empty. So it
   * lingers whenever the peer has not closed: for a peer that closes on our FIN, that costs one
   * read of its FIN and keeps the socket a round trip longer, nothing allocated.
   */
  private boolean shouldLinger() {
    return !inputShut && settings.timeouts().lingers() && !settings.options().resetsOnClose();
  }

  /** Sends FIN and goes on reading, to discard; false if the socket is already broken. */
  private boolean startLingering() {
    if (!outputShut) {
      try {
        channel.shutdownOutput();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, () -> this + ": no lingering close: " + e);
        return false;
      }
      outputShut = true;
    }
    lingering = true;
    lastWriteNanos = loop.now(); // The FIN was the last write; the linger counts from here.
    readsSuspended = false;
    updateInterest();
    loop.timers().schedule(this, lingerDeadline());
    return true;
  }

  /** Reads and throws away what arrived; the peer's FIN, a reset or an error end the linger. */
  private void discardInput() {
    for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
      ByteBuffer buffer = loop.readBuffer();
      int n;
      try {
        n = readCounted(buffer);
      } catch (IOException e) {
        LOG.log(Level.DEBUG, () -> this + ": lingering ended: " + e);
        closeSocket();
        return;
      }
      if (n < 0) {
        closeSocket();
        return;
      }
      if (n < buffer.capacity()) {
        return; // Drained (or nothing came): wait for the next read event.
      }
    }
  }

  /**
   * Reads once into {@code buffer}; -1 for the peer's FIN. What came counts in {@code bytesIn} and
   * moves the read clock, for the read and idle timeouts and for the linger's silence alike.
   */
  private int readCounted(ByteBuffer buffer) throws IOException {
    int n = channel.read(buffer);
    if (n > 0) {
      bytesIn += n;
      lastReadNanos = loop.now();
    }
    return n;
  }

  /** The sooner of the silence and the total deadline. */
  private long lingerDeadline() {
    Timeouts timeouts = settings.timeouts();
    long start = lastWriteNanos;
    long quietEnd = Math.max(lastReadNanos, start) + timeouts.lingeringTimeout().toNanos();
    return Math.min(quietEnd, start + timeouts.lingeringTime().toNanos());
  }

  @Override
  public ConnectionState state() {
    return state;
  }

  private void closeOnIoError(IOException e) {
    // A reset or broken pipe is the peer's doing, not ours: log quietly.
    LOG.log(Level.DEBUG, () -> this + ": " + e);
    close(CloseReason.error(e));
  }

  private void closeOnHandlerFailure(Throwable t) {
    LOG.log(Level.WARNING, () -> protocol.name() + " failed on " + this + "; closing it", t);
    close(CloseReason.error(t));
  }

  // ---- timeouts ----

  /** Arms the timeout timer for the nearest deadline that applies now. */
  private void armTimeouts() {
    long deadline = Long.MAX_VALUE;
    if (idleNanos > 0) {
      deadline = Math.min(deadline, Math.max(lastReadNanos, lastWriteNanos) + idleNanos);
    }
    if (readNanos() > 0 && !inputShut) {
      deadline = Math.min(deadline, lastReadNanos + readNanos());
    }
    if (stallNanos() > 0 && queuedBytes() > 0) {
      deadline = Math.min(deadline, writeProgressNanos + stallNanos());
    }
    deadline = Math.min(deadline, wakeUpNanos);
    if (deadline == Long.MAX_VALUE) {
      loop.timers().cancel(this);
    } else {
      loop.timers().schedule(this, deadline);
    }
  }

  /** The connection is its own timeout timer: one object fewer per connection. */
  @Override
  protected void fire() {
    try {
      onTimeoutCheck();
    } catch (Throwable e) {
      // The wheel is part way through a tick: unwinding into it would skip the timers after us.
      loop.survived(this, "a timeout check failed", e);
      close(CloseReason.error(e));
    }
  }

  /**
   * Runs when the nearest deadline may have passed. Activity since it was armed moved the real
   * deadlines later; then it simply re-arms, so reads and writes never touch the timer.
   */
  private void onTimeoutCheck() {
    if (lingering) {
      long deadline = lingerDeadline();
      if (loop.now() - deadline >= 0) {
        LOG.log(Level.DEBUG, () -> this + ": lingering close timed out");
        closeSocket();
      } else {
        loop.timers().schedule(this, deadline);
      }
      return;
    }
    if (state == ConnectionState.CLOSED) {
      return;
    }
    Timeouts timeouts = settings.timeouts();
    long now = loop.now();
    if (stallNanos() > 0 && queuedBytes() > 0 && now - writeProgressNanos >= stallNanos()) {
      close(
          CloseReason.timeout(
              "write stalled: the peer took none of "
                  + queuedBytes()
                  + " queued bytes for "
                  + format(timeouts.writeStall())));
    } else if (readNanos() > 0 && !inputShut && now - lastReadNanos >= readNanos()) {
      close(CloseReason.timeout("read timeout: nothing received for " + format(timeouts.read())));
    } else if (idleNanos > 0 && now - Math.max(lastReadNanos, lastWriteNanos) >= idleNanos) {
      close(CloseReason.timeout("idle timeout: no traffic for " + format(idleNanos)));
    } else {
      if (now >= wakeUpNanos) {
        wakeUpNanos = Long.MAX_VALUE;
        callWakeUp();
        if (state == ConnectionState.CLOSED) {
          return;
        }
      }
      armTimeouts();
    }
  }

  @Override
  public void wakeUpAt(long deadlineNanos) {
    wakeUpNanos = deadlineNanos;
    if (deadlineNanos != Long.MAX_VALUE && state != ConnectionState.CLOSED) {
      loop.timers().scheduleBy(this, deadlineNanos);
    }
  }

  @Override
  public void idleTimeout(Duration idle) {
    idleNanos = idle.toNanos();
    if (state != ConnectionState.CLOSED) {
      armTimeouts();
    }
  }

  private static String format(Duration d) {
    return Durations.format(d);
  }

  private static String format(long nanos) {
    return Durations.format(Duration.ofNanos(nanos));
  }

  // ---- protocol calls, each isolated ----

  private void callOpened() {
    callProtocol(p -> p.opened(this));
  }

  /*
   * Reads, wake-ups and writability changes call the protocol directly, not through
   * callProtocol: they come many times in a connection's life (every read; every deadline; every
   * watermark crossed), and the capturing lambda would allocate each time.
   */

  private void callReceived(ByteBuffer data) {
    try {
      protocol.received(this, data);
    } catch (Throwable t) {
      closeOnHandlerFailure(t);
    }
  }

  private void callWakeUp() {
    try {
      protocol.wakeUp(this);
    } catch (Throwable t) {
      closeOnHandlerFailure(t);
    }
  }

  private void callWritabilityChanged(boolean nowWritable) {
    try {
      protocol.writabilityChanged(this, nowWritable);
    } catch (Throwable t) {
      closeOnHandlerFailure(t);
    }
  }

  /** Asks the protocol to wind down for a graceful shutdown. */
  void requestShutdown() {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    callProtocol(p -> p.shutdownRequested(this));
  }

  /**
   * Calls the protocol for the once-per-connection events; a throw closes this connection only,
   * never the loop it shares.
   */
  private void callProtocol(Consumer<Protocol> call) {
    try {
      call.accept(protocol);
    } catch (Throwable t) {
      closeOnHandlerFailure(t);
    }
  }

  @Override
  public Protocol protocol() {
    return protocol;
  }

  @Override
  public void switchProtocol(Protocol next, ByteBuffer leftover) {
    if (!inEventLoop()) {
      ByteBuffer copy = ByteBuffer.allocate(leftover.remaining()).put(leftover).flip();
      submit(() -> switchProtocol(next, copy));
      return;
    }
    protocol = next;
    callOpened();
    if (leftover.hasRemaining() && state != ConnectionState.CLOSED) {
      callReceived(leftover);
    }
  }

  // ---- identity, threads, time ----

  @Override
  public long id() {
    return id;
  }

  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public SocketAddress localAddress() {
    return local;
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public boolean inEventLoop() {
    return loop.inEventLoop();
  }

  @Override
  public void execute(Runnable task) {
    loop.execute(task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return loop.schedule(delay, task);
  }

  @Override
  public long nanoTime() {
    return inEventLoop() ? loop.now() : System.nanoTime();
  }

  @Override
  public <T> Optional<T> option(SocketOption<T> option) {
    try {
      return channel.supportedOptions().contains(option)
          ? Optional.ofNullable(channel.getOption(option))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public ConnectionInfo info() {
    long now = System.nanoTime();
    return new ConnectionInfo(
        id,
        transport,
        serverSide ? ConnectionInfo.Side.SERVER : ConnectionInfo.Side.CLIENT,
        local,
        remote,
        protocol.name(),
        state,
        bytesIn,
        bytesOut,
        pendingBytes(),
        Instant.ofEpochMilli(openedAtMillis),
        Duration.ofNanos(Math.max(0, now - Math.max(lastReadNanos, lastWriteNanos))),
        closedFirst);
  }

  /** The peer as a person reads it; a Unix-domain client socket usually has no name. */
  private String peerName() {
    if (remote instanceof java.net.UnixDomainSocketAddress unix) {
      String path = unix.getPath().toString();
      return path.isEmpty() ? "a local process on " + local : path;
    }
    return BindErrors.describe(remote);
  }

  private void onLoop(Runnable action) {
    if (inEventLoop()) {
      action.run();
    } else {
      submit(action);
    }
  }

  /**
   * Hands work to the loop; once the loop has stopped the connection is closed, so drop it (and
   * return false).
   */
  private boolean submit(Runnable action) {
    try {
      loop.execute(action);
      return true;
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      LOG.log(Level.DEBUG, () -> this + ": loop stopped; dropping a late call");
      return false;
    }
  }

  @Override
  public String toString() {
    return "connection " + id + " with " + peerName();
  }
}
