package dev.wharf.core.internal;

/**
 * A hashed timer wheel (Varghese and Lauck): timers hang in slots by their deadline's tick, so
 * scheduling and cancelling cost O(1) whatever the number of timers, which matters with one idle
 * timer per connection and tens of thousands of connections.
 *
 * <p>Not thread-safe: owned by one event loop (or one test) and used only from its thread. Time is
 * passed in, so a fake clock drives it in tests. A timer never fires early; it fires at most one
 * tick late.
 */
public final class TimerWheel {

  /**
   * One scheduled task; reusable, so a connection can keep one for all its timeouts. A class may
   * also extend it and override {@link #fire()}, so that the timer is part of the object it serves
   * (as Linux embeds a socket's timers in the socket) and costs no object of its own.
   */
  public static class Timer {
    private final Runnable task;
    private Timer prev;
    private Timer next;
    private long tick;
    private boolean scheduled;

    public Timer(Runnable task) {
      this.task = task;
    }

    /** For subclasses that override {@link #fire()}. */
    protected Timer() {
      this.task = null;
    }

    public boolean isScheduled() {
      return scheduled;
    }

    /** Runs when the timer comes due, on the wheel's thread. */
    protected void fire() {
      task.run();
    }
  }

  private final long originNanos;
  private final long tickNanos;
  private final Timer[] slots;
  private final int mask;

  /** The first tick whose slot has not been expired yet. */
  private long currentTick;

  private int size;

  /**
   * The earliest tick that may hold a timer, or -1 when unknown; saves scanning the wheel on every
   * loop turn. Cancelling leaves it early, which only costs a spare wake-up.
   */
  private long nextBusyTick = -1;

  /**
   * @param originNanos the clock reading that counts as tick 0
   * @param tickNanos the resolution
   * @param slotCount a power of two; one round of the wheel spans {@code slotCount} ticks
   */
  public TimerWheel(long originNanos, long tickNanos, int slotCount) {
    if (Integer.bitCount(slotCount) != 1 || tickNanos <= 0) {
      throw new IllegalArgumentException("slot count must be a power of two and tick positive");
    }
    this.originNanos = originNanos;
    this.tickNanos = tickNanos;
    this.slots = new Timer[slotCount];
    this.mask = slotCount - 1;
  }

  /** Schedules a new timer for {@code deadlineNanos}. */
  public Timer schedule(long deadlineNanos, Runnable task) {
    var timer = new Timer(task);
    schedule(timer, deadlineNanos);
    return timer;
  }

  /** Schedules (or moves) a timer to {@code deadlineNanos}. */
  public void schedule(Timer timer, long deadlineNanos) {
    if (timer.scheduled) {
      unlink(timer);
    }
    timer.tick = Math.max(tickOf(deadlineNanos), currentTick);
    int slot = (int) (timer.tick & mask);
    timer.prev = null;
    timer.next = slots[slot];
    if (timer.next != null) {
      timer.next.prev = timer;
    }
    slots[slot] = timer;
    timer.scheduled = true;
    size++;
    if (nextBusyTick >= 0 && timer.tick < nextBusyTick) {
      nextBusyTick = timer.tick;
    }
  }

  /**
   * Makes sure a timer fires by {@code deadlineNanos}: schedules it, or moves it earlier, but
   * leaves it alone when it is already due by then. For a timer that checks its own deadlines when
   * it fires, this spares moving it on every event.
   */
  public void scheduleBy(Timer timer, long deadlineNanos) {
    if (timer.scheduled && timer.tick <= Math.max(tickOf(deadlineNanos), currentTick)) {
      return;
    }
    schedule(timer, deadlineNanos);
  }

  /** Cancels a timer; harmless if it already fired or was cancelled. */
  public void cancel(Timer timer) {
    if (timer.scheduled) {
      unlink(timer);
    }
  }

  /** The number of timers waiting. */
  public int size() {
    return size;
  }

  /**
   * Runs every timer whose deadline is at or before {@code nowNanos}.
   *
   * @return how many ran
   */
  public int expire(long nowNanos) {
    long nowTick = Math.floorDiv(nowNanos - originNanos, tickNanos);
    if (nowTick >= currentTick) {
      nextBusyTick = -1;
    }
    if (nowTick < currentTick || size == 0) {
      currentTick = Math.max(currentTick, size == 0 ? nowTick + 1 : currentTick);
      return 0;
    }
    int fired = 0;
    // After a long sleep every slot is visited once, not once per elapsed tick.
    long last = Math.min(nowTick, currentTick + mask);
    for (long t = currentTick; t <= last && size > 0; t++) {
      int slot = (int) (t & mask);
      // Timers scheduled by the tasks we run land in later ticks.
      currentTick = t + 1;
      Timer timer = slots[slot];
      while (timer != null) {
        Timer next = timer.next;
        if (timer.tick <= nowTick) {
          unlink(timer);
          fired++;
          timer.fire();
        }
        timer = next;
      }
    }
    currentTick = nowTick + 1;
    return fired;
  }

  /**
   * Nanoseconds from {@code nowNanos} until the next slot with a timer in it comes due, or -1 with
   * no timers. It may be early (the slot's timers may belong to a later round), never late.
   */
  public long nanosUntilNext(long nowNanos) {
    if (size == 0) {
      return -1;
    }
    if (nextBusyTick < currentTick) {
      nextBusyTick = currentTick + mask;
      for (long t = currentTick; t <= currentTick + mask; t++) {
        if (slots[(int) (t & mask)] != null) {
          nextBusyTick = t;
          break;
        }
      }
    }
    return Math.max(0, originNanos + nextBusyTick * tickNanos - nowNanos);
  }

  /** The tick a deadline falls in, rounded up so a timer never fires before its deadline. */
  private long tickOf(long deadlineNanos) {
    return Math.ceilDiv(deadlineNanos - originNanos, tickNanos);
  }

  private void unlink(Timer timer) {
    int slot = (int) (timer.tick & mask);
    if (timer.prev != null) {
      timer.prev.next = timer.next;
    } else {
      slots[slot] = timer.next;
    }
    if (timer.next != null) {
      timer.next.prev = timer.prev;
    }
    timer.prev = null;
    timer.next = null;
    timer.scheduled = false;
    size--;
  }
}
