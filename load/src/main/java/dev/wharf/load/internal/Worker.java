package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One thread of the load: a selector, its share of the connections, one read buffer they all read
 * into, and the counters and latency histogram of what it measured. It runs until the run's end
 * time, until its share of the request budget is answered or lost, or until {@link #stop}.
 *
 * <p>Everything but the {@code live*} fields and {@link #stop} belongs to the worker's thread while
 * it runs; the caller reads the rest after joining it.
 */
public final class Worker implements Runnable {
  /** How long a connection waits after a failed connect before it tries again. */
  static final long CONNECT_BACKOFF = TimeUnit.MILLISECONDS.toNanos(100);

  /** The longest latency recorded as itself; longer ones are recorded as this. */
  public static final long MAX_LATENCY = TimeUnit.HOURS.toNanos(1);

  /**
   * Held runs: the most connections of one worker between connect and open at once. Thousands of
   * connects at once overflow the server's accept queue and its first handshakes wait behind the
   * rest; past the timeout they fail and come again, and the run never settles. A ramp gets there.
   */
  static final int MAX_HANDSHAKING = 500;

  private static final int READ_BUFFER = 256 * 1024;
  private static final long TIMEOUT_CHECK = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long IDLE_SELECT_MILLIS = 10;

  private final Plan plan;
  private final Selector selector;

  /**
   * Connections closed in this turn of the loop (a server's Connection: close or GOAWAY, a reset):
   * they connect again at its end, as wrk does, not at the next timeout check.
   */
  private final ArrayDeque<Connection> closed = new ArrayDeque<>();

  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
  private final Connection[] connections;
  private final long measureStart;
  private final long end;
  private final long budget;
  private final long timeout;
  private final boolean atRate;

  private final Histogram histogram = new Histogram(MAX_LATENCY, 3);

  /** Held: from the {@code sentMicros} in a message to its arrival, in nanoseconds. */
  private final Histogram messageLatency = new Histogram(MAX_LATENCY, 3);

  private long messages;
  private long openAtEnd;
  private int handshaking;
  private final long[] errors = new long[ErrorKind.values().length];
  private final String[] firstErrors = new String[ErrorKind.values().length];
  private final long[] statusClasses = new long[6];
  private long answered;
  private long lost;

  /** Its thread's CPU time when it began to measure (-1: not yet), and when it ended. */
  private long cpuAtMeasureStart = -1;

  private long cpuAtEnd;
  private long claimed;
  private long bytesRead;
  private long bytesWritten;
  private long opened;
  private boolean measuring;

  /** Totals for the progress line and the timeline, published once per turn of the loop. */
  private volatile long liveAnswered;

  private volatile long liveErrors;
  private volatile long liveOpened;
  private volatile boolean stopped;

  /**
   * A worker for connections {@code first} to {@code first + count - 1} of the run's {@code total};
   * it measures from {@code measureStart} to {@code end} (nanoTime; {@code Long.MAX_VALUE}: until
   * {@code budget} requests are done).
   */
  public Worker(
      Plan plan,
      int first,
      int count,
      int total,
      long start,
      long measureStart,
      long end,
      long budget)
      throws IOException {
    this.plan = plan;
    this.selector = Selector.open();
    this.measureStart = measureStart;
    this.end = end;
    this.budget = budget;
    this.timeout = plan.plan().timeout().toNanos();
    double rate = plan.plan().rate();
    this.atRate = rate > 0;
    // At a rate R over C connections, each sends every C/R seconds; connection i starts i/R in.
    long interval = atRate ? Math.max(1, Math.round(1e9 * total / rate)) : 0;
    this.connections = new Connection[count];
    for (int i = 0; i < count; i++) {
      long firstDue = atRate ? start + Math.round(1e9 * (first + i) / rate) : 0;
      connections[i] = new Connection(this, plan, firstDue, interval);
    }
  }

  @Override
  public void run() {
    try {
      loop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      cpuAtEnd = threadCpuNanos();
      for (Connection c : connections) {
        if (c.isOpen()) {
          openAtEnd++;
        }
        c.closeQuietly();
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // Closing at the end; nothing to do.
      }
      publish();
    }
  }

  private void loop() throws IOException {
    long now = System.nanoTime();
    for (Connection c : connections) {
      c.connectIfIdle(now);
    }
    long nextCheck = now + TIMEOUT_CHECK;
    long nextSlot = now;
    while (!stopped) {
      now = System.nanoTime();
      if (!measuring && now - measureStart >= 0) {
        cpuAtMeasureStart = threadCpuNanos();
      }
      measuring = now - measureStart >= 0;
      if (now - end >= 0 || (budget > 0 && answered + lost >= budget)) {
        break;
      }
      if (now - nextCheck >= 0) {
        for (Connection c : connections) {
          c.checkTimeout(now, timeout);
          c.connectIfIdle(now);
          c.pingIfDue(now);
        }
        nextCheck = now + TIMEOUT_CHECK;
      }
      long waitMillis = IDLE_SELECT_MILLIS;
      if (atRate) {
        if (now - nextSlot >= 0) {
          nextSlot = issueDue(now);
        }
        // Rounded up: a request may go out up to a millisecond after its slot, and its latency
        // counts that too.
        waitMillis = Math.min(waitMillis, Math.max(1, (nextSlot - now + 999_999) / 1_000_000));
      }
      selector.select(waitMillis);
      var ready = selector.selectedKeys();
      for (SelectionKey key : ready) {
        if (key.isValid()) {
          ((Connection) key.attachment()).selected();
        }
      }
      ready.clear();
      for (Connection c = closed.poll(); c != null; c = closed.poll()) {
        c.connectIfIdle(now); // unless a failed connect makes it wait for its back-off
      }
      publish();
    }
  }

  /** Lets every connection issue what its schedule says is due; returns the next slot. */
  private long issueDue(long now) {
    long next = now + TimeUnit.MILLISECONDS.toNanos(IDLE_SELECT_MILLIS);
    for (Connection c : connections) {
      long slot = c.issueWhatIsDue(now);
      try {
        c.flush();
      } catch (IOException | RuntimeException e) {
        c.failed(e, now);
        continue;
      }
      // A connection that is closed or has no room in its pipeline is not waiting for a slot.
      if (c.waitsForSlot() && slot - next < 0) {
        next = slot;
      }
    }
    return next;
  }

  private void publish() {
    liveAnswered = answered;
    long e = 0;
    for (long n : errors) {
      e += n;
    }
    liveErrors = e;
    liveOpened = opened;
  }

  /** Asks the worker to stop at its next turn; any thread. */
  public void stop() {
    stopped = true;
    selector.wakeup();
  }

  public long liveAnswered() {
    return liveAnswered;
  }

  public long liveErrors() {
    return liveErrors;
  }

  public long liveOpened() {
    return liveOpened;
  }

  // ---- for its connections, on its thread ----

  Plan plan() {
    return plan;
  }

  InetSocketAddress address() {
    return plan.address();
  }

  Selector selector() {
    return selector;
  }

  ByteBuffer readBuffer() {
    return readBuffer;
  }

  /** A connection closed; it connects again at the end of this turn of the loop. */
  void closed(Connection connection) {
    closed.add(connection);
  }

  boolean mayConnect() {
    return !stopped && (!plan.plan().hold().isOn() || handshaking < MAX_HANDSHAKING);
  }

  void handshakeStarted() {
    handshaking++;
  }

  void handshakeEnded() {
    handshaking--;
  }

  void connectionOpened() {
    opened++;
  }

  /**
   * Whether a request due at {@code when} may be sent: always during the warmup, and after it while
   * the budget (if any) lasts. Counts it against the budget.
   */
  boolean mayIssue(long when) {
    if (budget == 0 || when - measureStart < 0) {
      return true;
    }
    if (claimed >= budget) {
      return false;
    }
    claimed++;
    return true;
  }

  /** A request due at {@code due} was answered at {@code now}. */
  void answered(long due, long now, int status) {
    if (due - measureStart < 0) {
      return; // Sent during the warmup.
    }
    histogram.recordValue(Math.min(Math.max(0, now - due), MAX_LATENCY));
    answered++;
    if (status > 0) {
      int k = status / 100;
      statusClasses[Math.min(5, k)]++;
      if (k == 4) {
        errors[ErrorKind.STATUS_4XX.ordinal()]++;
      } else if (k >= 5) {
        errors[ErrorKind.STATUS_5XX.ordinal()]++;
      }
    }
  }

  /**
   * A request due at {@code due} was not taken by the server (HTTP/2's GOAWAY named streams below
   * it): it is sent again, on another connection, and counts once for a request budget.
   */
  void notTaken(long due) {
    if (budget > 0 && due - measureStart >= 0) {
      claimed--;
    }
  }

  /** A request due at {@code due} will never be answered: its connection closed. */
  void lost(long due) {
    if (budget > 0 && due - measureStart >= 0) {
      lost++;
    }
  }

  void failed(ErrorKind kind, Throwable failure, long now) {
    if (now - measureStart < 0) {
      return;
    }
    errors[kind.ordinal()]++;
    if (firstErrors[kind.ordinal()] == null) {
      firstErrors[kind.ordinal()] =
          failure.getMessage() == null ? failure.toString() : failure.getMessage();
    }
  }

  /**
   * A held connection got a text message; one stamped with {@code sentMicros} (its sender's clock,
   * microseconds since the epoch: comparable on one machine) is timed to now.
   */
  void messageReceived(long sentMicros) {
    if (!measuring) {
      return;
    }
    messages++;
    if (sentMicros >= 0) {
      Instant now = Instant.now();
      long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
      long nanos = (nowMicros - sentMicros) * 1_000;
      messageLatency.recordValue(Math.min(Math.max(0, nanos), MAX_LATENCY));
    }
  }

  /** This thread's CPU time so far (user and system), nanoseconds; 0 where the JVM cannot tell. */
  private static long threadCpuNanos() {
    var threads = ManagementFactory.getThreadMXBean();
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
  }

  void read(int n) {
    if (measuring) {
      bytesRead += n;
    }
  }

  void wrote(int n) {
    if (measuring) {
      bytesWritten += n;
    }
  }

  // ---- the results, read after the thread has ended ----

  /** The CPU time this thread spent measuring (after the warmup), nanoseconds. */
  public long cpuNanos() {
    return cpuAtMeasureStart < 0 ? 0 : Math.max(0, cpuAtEnd - cpuAtMeasureStart);
  }

  public Histogram histogram() {
    return histogram;
  }

  public long answered() {
    return answered;
  }

  public Histogram messageLatency() {
    return messageLatency;
  }

  /** Held: text messages received while measuring. */
  public long messages() {
    return messages;
  }

  /** Connections open when it stopped. */
  public long openAtEnd() {
    return openAtEnd;
  }

  public long errors(ErrorKind kind) {
    return errors[kind.ordinal()];
  }

  /** What the first error of {@code kind} said, or null. */
  public String firstError(ErrorKind kind) {
    return firstErrors[kind.ordinal()];
  }

  public long statusClass(int k) {
    return statusClasses[k];
  }

  public long bytesRead() {
    return bytesRead;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public long opened() {
    return opened;
  }
}
