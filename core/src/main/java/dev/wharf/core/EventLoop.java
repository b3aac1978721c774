package dev.wharf.core;

import dev.wharf.core.internal.BufferPool;
import dev.wharf.core.internal.TimerWheel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One thread, one {@link Selector}, a task queue and a timer wheel. Each turn it waits for ready
 * sockets (or the next timer, or a task), handles them, runs queued tasks, fires due timers, and
 * writes out what those wrote.
 *
 * <p>{@link #execute}, {@link #schedule} and {@link #inEventLoop} may be called from any thread;
 * everything else here runs on the loop's own thread. Channels registered with a loop stay on it
 * for life, so their state needs no locks.
 */
public final class EventLoop implements Executor {
  private static final System.Logger LOG = LazyLogger.of(EventLoop.class);

  /** Size of the buffer every read on this loop goes through, lent to protocols. */
  static final int READ_BUFFER_SIZE = 64 * 1024;

  /** Size of the pooled buffers that write queues are made of. */
  static final int SEGMENT_SIZE = 16 * 1024;

  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int MAX_TASKS_PER_TURN = 4096;

  /**
   * Tasks are run in a turn until this many connections have output waiting; then those are flushed
   * before the next task. A broadcast is one task per connection (each writes its own frame):
   * flushed only after all of them, every connection held a segment of its own at once, thousands
   * of 16 KB direct buffers fresh from the JDK (zeroed, then freed by the GC) where 64 reused ones
   * do. Between tasks, not inside one: a flush may close a connection, and its protocol's {@code
   * closed} must not run in the middle of another's task.
   */
  static final int FLUSH_BATCH = 64;

  /** Something the loop's selector can wake up for. */
  interface Handler {
    /** Called on the loop when the key is ready; should not throw. */
    void ready(SelectionKey key);

    /**
     * {@link #ready} threw anyway (a bug, or an {@link Error} such as running out of memory): the
     * loop has logged it and goes on; by default the channel closes, so it cannot fail again on
     * every turn.
     */
    default void failed(SelectionKey key, Throwable error) {
      key.cancel();
      try {
        key.channel().close();
      } catch (IOException | RuntimeException e) {
        // Already failing; the failure was logged.
      }
    }
  }

  private final EventLoopGroup group;
  private final int index;
  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final TimerWheel timers;
  private final BufferPool segments = new BufferPool(SEGMENT_SIZE, 1024);

  /**
   * Empty write queues lent between the loop's connections: a connection holds a queue only while
   * it has bytes queued, so an idle one holds none and a busy loop allocates none. Up to {@link
   * #FLUSH_BATCH} are kept, as many as a broadcast has waiting between flushes; with one spare, all
   * but one of those made a new queue (and grew its ring) each time.
   */
  private final WriteQueue[] spareWriteQueues = new WriteQueue[FLUSH_BATCH];

  private int spareWriteQueueCount;

  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);

  /** Segments for one gathering write; shared by the loop's connections to save 272 B each. */
  private final ByteBuffer[] gatherScratch = new ByteBuffer[64];

  // Loop-confined.
  private final List<StreamConnection> connections = new ArrayList<>();
  private final List<StreamConnection> toFlush = new ArrayList<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private CompletableFuture<Void> drained;
  private volatile boolean running = true;

  /**
   * The loop's clock: {@link System#nanoTime()} read at most once per phase of a turn (after select
   * returns, and before timers expire) rather than on every read and write of every connection,
   * which under load cost more than the rest of the time keeping. Stale means the next {@link
   * #now()} reads it afresh.
   */
  private long clockNanos;

  private boolean clockStale = true;

  /** Turns taken so far; loop-confined, read by tests to see that the loop does not spin. */
  private long turns;

  EventLoop(EventLoopGroup group, int index) throws IOException {
    this.group = group;
    this.index = index;
    this.selector = Selector.open();
    this.timers = new TimerWheel(System.nanoTime(), TICK_NANOS, 1024);
    this.thread =
        Thread.ofPlatform()
            .name(group.name() + "-loop-" + index)
            .daemon(group.daemon())
            .unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** The group this loop belongs to. */
  public EventLoopGroup group() {
    return group;
  }

  /** The loop's position in its group. */
  public int index() {
    return index;
  }

  /** True on this loop's thread. */
  public boolean inEventLoop() {
    return Thread.currentThread() == thread;
  }

  /**
   * Queues a task to run on the loop; safe from any thread, including the loop's own.
   *
   * @throws RejectedExecutionException once the loop has stopped
   */
  @Override
  public void execute(Runnable task) {
    if (terminated.isDone()) {
      throw new RejectedExecutionException(thread.getName() + " has stopped");
    }
    tasks.add(task);
    if (!inEventLoop() && wakeupPending.compareAndSet(false, true)) {
      selector.wakeup();
    }
  }

  /**
   * Runs a task on the loop after a delay (at most 10 ms late); safe from any thread. A task that
   * throws is logged; the loop carries on.
   */
  public Cancellable schedule(Duration delay, Runnable task) {
    long deadline = System.nanoTime() + delay.toNanos();
    var scheduled = new ScheduledTask(task);
    if (inEventLoop()) {
      timers.schedule(scheduled.timer, deadline);
    } else {
      execute(() -> timers.schedule(scheduled.timer, deadline));
    }
    return scheduled;
  }

  /**
   * A task on the timer wheel that may be cancelled from any thread. The flag makes a cancel win
   * even when it reaches the loop before the scheduling does.
   */
  private final class ScheduledTask implements Cancellable {
    private final TimerWheel.Timer timer;
    private volatile boolean cancelled;

    ScheduledTask(Runnable task) {
      this.timer =
          new TimerWheel.Timer(
              () -> {
                if (cancelled) {
                  return;
                }
                try {
                  task.run();
                } catch (Throwable e) {
                  survived("a scheduled task failed", e);
                }
              });
    }

    @Override
    public void cancel() {
      cancelled = true;
      if (inEventLoop()) {
        timers.cancel(timer);
      } else if (!terminated.isDone()) {
        try {
          execute(() -> timers.cancel(timer)); // Frees the slot early; the flag already holds.
        } catch (RejectedExecutionException stopped) {
          // Nothing left to run it anyway.
        }
      }
    }
  }

  /** A future completed when the loop's thread has ended. */
  public CompletableFuture<Void> terminationFuture() {
    return terminated;
  }

  // ---- loop-only API, package-private ----

  TimerWheel timers() {
    return timers;
  }

  /**
   * The time at the start of the current phase of this turn (dispatching ready sockets and running
   * tasks, or expiring timers), in {@link System#nanoTime()} units; loop thread only. It lags the
   * real time by at most the work the loop has done since, which the 10 ms timer ticks swallow.
   */
  long now() {
    if (clockStale) {
      clockNanos = System.nanoTime();
      clockStale = false;
    }
    return clockNanos;
  }

  /** Turns taken so far; loop thread only. */
  long turnsOnLoop() {
    return turns;
  }

  ByteBuffer[] gatherScratch() {
    return gatherScratch;
  }

  BufferPool segments() {
    return segments;
  }

  /** An empty write queue for a connection about to queue bytes: a spare one, or a new one. */
  WriteQueue takeWriteQueue() {
    if (spareWriteQueueCount == 0) {
      return new WriteQueue();
    }
    WriteQueue q = spareWriteQueues[--spareWriteQueueCount];
    spareWriteQueues[spareWriteQueueCount] = null;
    return q;
  }

  /** Keeps a connection's emptied write queue (and its ring) for the next that writes. */
  void giveWriteQueue(WriteQueue emptied) {
    if (spareWriteQueueCount < spareWriteQueues.length) {
      spareWriteQueues[spareWriteQueueCount++] = emptied;
    }
  }

  /** The shared read buffer, cleared; lent to one protocol call at a time. */
  ByteBuffer readBuffer() {
    return readBuffer.clear();
  }

  SelectionKey register(SelectableChannel channel, int ops, Handler handler)
      throws ClosedChannelException {
    assert inEventLoop();
    return channel.register(selector, ops, handler);
  }

  /**
   * Deregisters the keys cancelled so far, so that the channels closed with them give their
   * descriptors back now, not at the loop's next select: the JDK defers a registered channel's
   * close to its deregistration, and a listener must stop listening before {@code Server.close}
   * returns. On this loop only. Readiness this select sees is seen again by the loop's next one
   * (epoll is level-triggered): nothing is lost by dropping it.
   */
  void deregisterCancelledKeys() throws IOException {
    assert inEventLoop();
    selector.selectNow();
    selector.selectedKeys().clear();
  }

  void added(StreamConnection connection) {
    connection.loopIndex = connections.size();
    connections.add(connection);
  }

  /** Removes in O(1): the last connection takes the leaving one's place. */
  void removed(StreamConnection connection) {
    int index = connection.loopIndex;
    StreamConnection last = connections.removeLast();
    if (last != connection) {
      connections.set(index, last);
      last.loopIndex = index;
    }
    if (drained != null && connections.isEmpty()) {
      drained.complete(null);
    }
  }

  /**
   * Asks every connection on this loop to wind down and completes {@code done} once none is left;
   * loop thread only.
   */
  void drain(CompletableFuture<Void> done) {
    drained = done;
    for (var connection : List.copyOf(connections)) {
      connection.requestShutdown();
    }
    if (connections.isEmpty()) {
      done.complete(null);
    }
  }

  /** Connections on this loop; loop thread only. */
  List<StreamConnection> connections() {
    return connections;
  }

  /**
   * Closes the connection on this loop, of those counted in {@code full}, that has gone longest
   * without reading or writing a byte, if that is at least {@code minQuietNanos}; loop thread only.
   * One scan of the loop's list.
   *
   * <p>Longest without traffic is the transport's own measure of idle (the idle timeout's), and
   * needs no hint from the protocol: a connection between requests, or one that connected and never
   * spoke, has it; one downloading a file or uploading has not, and a request being answered slowly
   * is spared by {@code minQuietNanos}.
   */
  void evictIdlest(ConnectionLimit full, long minQuietNanos) {
    StreamConnection idlest = null;
    long oldest = Long.MAX_VALUE;
    for (StreamConnection connection : connections) {
      long last = connection.lastTrafficIfEvictableFrom(full);
      if (last < oldest) {
        oldest = last;
        idlest = connection;
      }
    }
    long quiet = now() - oldest;
    if (idlest != null && quiet >= minQuietNanos) {
      idlest.evict(full.max(), quiet);
    }
  }

  /** Asks for {@code connection} to be flushed at the end of this turn. */
  void flushLater(StreamConnection connection) {
    toFlush.add(connection);
  }

  void stop() {
    running = false;
    if (!inEventLoop()) {
      selector.wakeup();
    }
  }

  /**
   * Turns until stopped. Only a broken selector ends the loop, loudly: every handler, task, timer
   * and flush is guarded on its own, and whatever still escapes a turn (an {@link OutOfMemoryError}
   * while selecting) is survived, as one lost turn, told at most once a second: a heap that stays
   * full would fail every turn.
   */
  private void run() {
    long lastTold = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
    try {
      while (running) {
        try {
          turn();
        } catch (IOException | ClosedSelectorException broken) {
          throw broken;
        } catch (Throwable e) {
          try {
            if (System.nanoTime() - lastTold >= TimeUnit.SECONDS.toNanos(1)) {
              lastTold = System.nanoTime();
              survived("a turn failed", e);
            }
          } catch (Throwable heapFull) {
            // Even resolving the message's string constant allocates; with the heap full that
            // throws here, outside survived's guard. Nothing escapes this loop.
          }
        }
      }
    } catch (Throwable bug) {
      try {
        LOG.log(Level.ERROR, thread.getName() + " stopped by a broken selector", bug);
      } catch (Throwable loggingFailed) {
        // Stopping regardless.
      }
    } finally {
      closeAllOnLoop();
      terminated.complete(null);
      // Tasks that raced with the stop: run them so their futures fail rather than hang.
      runTasks();
    }
  }

  private void turn() throws IOException {
    turns++;
    // Whatever select waits for, the clock is read afresh the first time a handler asks for it.
    clockStale = true;
    if (!tasks.isEmpty()) {
      selector.selectNow(this::dispatch);
    } else {
      long waitNanos = timers.nanosUntilNext(System.nanoTime());
      if (waitNanos < 0) {
        selector.select(this::dispatch);
      } else if (waitNanos == 0) {
        selector.selectNow(this::dispatch);
      } else {
        selector.select(this::dispatch, selectTimeoutMillis(waitNanos));
      }
    }
    wakeupPending.set(false);
    flushPending();
    runTasks();
    clockStale = true;
    timers.expire(now());
    flushPending();
  }

  /**
   * The select timeout for a timer due in {@code waitNanos} (more than 0): rounded up to the next
   * millisecond, never down. Rounded down, select returned up to 1 ms before the timer's tick, and
   * then, with less than 1 ms to go, the loop spun on selectNow until it came: with a timer due
   * every tick (thousands of connections) that was many wake-ups a tick. Waking up to 1 ms late is
   * nothing next to the wheel's 10 ms tick.
   */
  static long selectTimeoutMillis(long waitNanos) {
    return Math.ceilDiv(waitNanos, TimeUnit.MILLISECONDS.toNanos(1));
  }

  private void dispatch(SelectionKey key) {
    Handler handler = (Handler) key.attachment();
    try {
      handler.ready(key);
    } catch (Throwable e) {
      survived(handler, "failed", e);
      try {
        handler.failed(key, e);
      } catch (Throwable again) {
        survived(handler, "failed to clean up", again);
      }
    }
  }

  private void runTasks() {
    for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
      Runnable task = tasks.poll();
      if (task == null) {
        return;
      }
      try {
        task.run();
      } catch (Throwable e) {
        survived("a task failed", e);
      }
      if (toFlush.size() >= FLUSH_BATCH) {
        flushPending();
      }
    }
  }

  private void flushPending() {
    // Flushing may close a connection, which never adds to toFlush, so indexing is safe.
    for (int i = 0; i < toFlush.size(); i++) {
      StreamConnection connection = toFlush.get(i);
      try {
        connection.flushIfScheduled();
      } catch (Throwable e) {
        survived(connection, "flushing failed", e);
        connection.close(CloseReason.error(e));
      }
    }
    toFlush.clear();
  }

  private void closeAllOnLoop() {
    for (var connection : List.copyOf(connections)) {
      connection.closeOnLoopStop();
    }
    for (SelectionKey key : selector.keys()) {
      try {
        key.channel().close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing a channel on shutdown", e);
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Logs a failure the loop carries on after, once, where it is caught. Any {@link Throwable},
   * {@link Error}s too: an {@link OutOfMemoryError} in one connection's handler is usually that
   * connection's doing and its memory is free again once the stack unwinds, and a class that fails
   * to load (out of descriptors) fails only what needed it. Ending the loop would instead drop
   * every connection on it and, on the accepting loop, the listener. Logging itself may fail the
   * same way (a formatter that loads time-zone data needs a descriptor): then nothing is told.
   */
  void survived(String what, Throwable error) {
    survived(null, what, error, false);
  }

  /** As {@link #survived(String, Throwable)}, about {@code subject} (a connection, a handler). */
  void survived(Object subject, String what, Throwable error) {
    survived(subject, what, error, false);
  }

  /**
   * As {@link #survived(String, Throwable)}, at debug level for what a peer may cause. The message
   * is made inside the guard: with the heap full, making it may fail too.
   */
  void survived(Object subject, String what, Throwable error, boolean peersDoing) {
    try {
      LOG.log(
          peersDoing ? Level.DEBUG : Level.WARNING,
          thread.getName()
              + ": "
              + (subject == null ? "" : subject + ": ")
              + what
              + "; carrying on",
          error);
    } catch (Throwable loggingFailed) {
      // Nothing left to tell it with; the loop must go on regardless.
    }
  }

  @Override
  public String toString() {
    return thread.getName();
  }
}
