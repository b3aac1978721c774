package dev.wharf.websocket;

import java.util.ArrayDeque;

/**
 * Delivers one connection's listener events in order. On the event loop they run at once, inline,
 * unless events are already waiting; then, and always for {@link
 * WebSocketConfig.Dispatch#VIRTUAL_THREAD} listeners and for message streams, they queue and one
 * virtual thread runs them one after another, then ends. So a connection whose listener is idle
 * holds no thread.
 *
 * <p>{@link #dispatch} is called on the connection's loop; events run on the loop or on the
 * connection's one virtual thread, never two at once. Queued events count their bytes, so the
 * session can pause reading while the listener is behind.
 *
 * <p>It locks with {@code synchronized}, which no longer pins a virtual thread (JDK 24, JEP 491)
 * and costs an idle connection no lock object.
 */
final class Dispatcher {

  /** Told when queued bytes drop, on the thread that ran the event. */
  interface Drained {
    void drained(long queuedBytes);
  }

  private record Event(Runnable action, long bytes) {}

  private final boolean alwaysQueue;
  private final Drained drained;
  private ArrayDeque<Event> queue; // guarded by this; made on first use
  private boolean running; // guarded by this: a virtual thread is draining the queue
  private volatile long queuedBytes;

  Dispatcher(boolean alwaysQueue, Drained drained) {
    this.alwaysQueue = alwaysQueue;
    this.drained = drained;
  }

  /** Runs an event now on the loop if nothing waits, else in order after what waits. */
  void dispatch(Runnable action, long bytes) {
    enqueue(action, bytes, alwaysQueue);
  }

  /** Runs an event on the virtual thread, after what waits (it may block). */
  void dispatchBlocking(Runnable action, long bytes) {
    enqueue(action, bytes, true);
  }

  /**
   * True when an event dispatched now would run inline, on the loop, before this returns; then a
   * buffer lent for the call may be passed as it is. Loop only (only the loop queues events, so the
   * answer cannot change until it does).
   */
  boolean runsInline() {
    if (alwaysQueue) {
      return false;
    }
    synchronized (this) {
      return !running;
    }
  }

  long queuedBytes() {
    return queuedBytes;
  }

  private void enqueue(Runnable action, long bytes, boolean mustQueue) {
    boolean inline;
    boolean startDrain = false;
    synchronized (this) {
      inline = !mustQueue && !running;
      if (!inline) {
        if (queue == null) {
          queue = new ArrayDeque<>();
        }
        queue.add(new Event(action, bytes));
        queuedBytes += bytes;
        startDrain = !running;
        running = true;
      }
    }
    if (inline) {
      action.run(); // Outside the lock: it may dispatch again.
    } else if (startDrain) {
      Thread.ofVirtual().name("wharf-websocket-listener").start(this::drain);
    }
  }

  private void drain() {
    while (true) {
      Event event;
      synchronized (this) {
        event = queue.poll();
        if (event == null) {
          running = false;
          queue = null; // An idle connection keeps no queue.
          return;
        }
      }
      try {
        event.action().run();
      } finally {
        if (event.bytes() > 0) {
          long left;
          synchronized (this) {
            queuedBytes -= event.bytes();
            left = queuedBytes;
          }
          drained.drained(left);
        }
      }
    }
  }
}
