package dev.wharf.scan;

import dev.wharf.packets.SynAnswer;
import dev.wharf.packets.SynProber;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A half-open SYN scan (nmap's {@code -sS}) of one host through a {@link Wire}: open on a SYN-ACK,
 * closed on a RST, filtered on an ICMP unreachable or, as nmap, on silence after its retries.
 *
 * <p>Timing is nmap's, adaptive: a probe waits for the timeout a {@link RttEstimator} learns from
 * the answers' round trips (SRTT + 4 RTTVAR, between nmap -T4's 100 ms and 1250 ms by default), so
 * that a silent port on a fast path costs a fraction of a second; the probes awaiting answers are
 * bounded by a {@link CongestionWindow} that grows with answers and shrinks on silence, up to
 * {@code concurrency}; a silent port gets one retry more than the most any answered port needed, up
 * to {@code retries} (nmap's {@code allowedTryno}), so that on a path that loses nothing a filtered
 * port is tried twice, not seven times. {@code maxRate} caps the SYNs per second; {@code minRate}
 * sends past the window when the scan falls behind it, as nmap's {@code --min-rate}.
 *
 * <p>One thread does everything: it hands the wire up to {@link #BATCH} SYNs at once (one system
 * call), reads every answer waiting after each batch (so that the capture's buffer never fills with
 * answers unread), and waits for answers only when it may send nothing more. {@link #scan} blocks
 * the calling thread; any thread.
 */
public final class SynScanner {
  /** The most SYNs handed to the wire at once: one {@code sendmmsg}. */
  public static final int BATCH = 32;

  /** How long to back off when the kernel's queue is full (ENOBUFS). */
  private static final long QUEUE_FULL_PAUSE_NANOS = 1_000_000;

  /**
   * How to scan.
   *
   * @param concurrency the most ports awaiting an answer at once (the window's ceiling)
   * @param minRate the fewest SYNs sent per second, past the window if need be; 0 for none
   * @param maxRate the most SYNs sent per second; 0 for no limit
   * @param timing the probe timeout's bounds; {@link RttEstimator.Limits#fixed} for no learning
   * @param retries the most SYNs more a silent port may get before it counts as filtered
   */
  public record Settings(
      int concurrency, double minRate, double maxRate, RttEstimator.Limits timing, int retries) {
    public Settings {
      Objects.requireNonNull(timing, "timing");
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
      }
      if (!(minRate >= 0) || Double.isInfinite(minRate)) {
        throw new IllegalArgumentException("minRate must be a positive number, got " + minRate);
      }
      if (!(maxRate >= 0) || Double.isInfinite(maxRate)) {
        throw new IllegalArgumentException("maxRate must be a positive number, got " + maxRate);
      }
      if (maxRate > 0 && minRate > maxRate) {
        throw new IllegalArgumentException(
            "the minimum rate (" + minRate + ") is above the maximum (" + maxRate + ")");
      }
      if (retries < 0 || retries > 50) {
        throw new IllegalArgumentException("retries must be 0 to 50, got " + retries);
      }
    }
  }

  /**
   * What a scan learnt, for {@code -v}: SYNs sent (retries among them), the round trip and timeout
   * at the end, the window at the end and at its largest, and the retries a silent port was given.
   */
  public record Summary(
      long probes,
      long retries,
      long srttNanos,
      long timeoutNanos,
      int window,
      int largestWindow,
      int retriesAllowed) {}

  /** What the scanner sends through and hears from: a {@link SynProber}, or a test's fake. */
  public interface Wire {
    /**
     * Sends SYNs to {@code ports[0]} to {@code ports[count - 1]} in that order; how many went (the
     * first ones), fewer when the kernel's queue was full.
     */
    int send(int[] ports, int count) throws IOException;

    /** The next answer, waiting until {@code deadlineNanos} (the scanner's clock) at most. */
    Optional<SynAnswer> next(long deadlineNanos) throws IOException;

    static Wire of(SynProber prober) {
      return new Wire() {
        @Override
        public int send(int[] ports, int count) throws IOException {
          return prober.send(ports, count);
        }

        @Override
        public Optional<SynAnswer> next(long deadlineNanos) throws IOException {
          return prober.next(deadlineNanos);
        }
      };
    }
  }

  private final Settings settings;
  private final LongSupplier clock;
  private volatile Summary summary;

  public SynScanner(Settings settings) {
    this(settings, System::nanoTime);
  }

  /** A scanner reading {@code clock} (nanoseconds, as {@link System#nanoTime}); for tests. */
  SynScanner(Settings settings, LongSupplier clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Probes every port of {@code ports} through {@code wire}; the results sorted by port. */
  public List<PortResult> scan(Wire wire, PortList ports, TcpScanner.Progress progress)
      throws IOException {
    var run = new Run(wire, ports.ports(), progress);
    List<PortResult> results = run.run();
    summary = run.summary();
    return results;
  }

  /** What the last {@link #scan} learnt; empty before one ended. */
  public Optional<Summary> summary() {
    return Optional.ofNullable(summary);
  }

  /** One scan's state; lives on the scanning thread. */
  private final class Run {
    private final Wire wire;
    private final int[] ports;
    private final TcpScanner.Progress progress;
    private final PortResult[] results;
    private final int[] indexOfPort = new int[65_536];
    private final int[] tries;
    private final long[] sentAt;
    private final boolean[] queuedForRetry;
    private final int[] batchIndexes = new int[BATCH];
    private final int[] batchPorts = new int[BATCH];

    /** Probes awaiting an answer, oldest first: (index << 8 | try), and when each went. */
    private final ProbeQueue waiting = new ProbeQueue();

    /** Silent ports due another try, in the order they fell silent; answered ones are skipped. */
    private final ArrayDeque<Integer> retry = new ArrayDeque<>();

    private final RttEstimator rtt = new RttEstimator(settings.timing());
    private final CongestionWindow window = new CongestionWindow(1, settings.concurrency());
    private final long intervalNanos;
    private int nextNew;
    private int inFlight;
    private int done;
    private long probes;
    private long retransmissions;
    private int mostRetriesAnswered;
    private int largestWindow;
    private long started;
    private long nextSendAt;

    Run(Wire wire, int[] ports, TcpScanner.Progress progress) {
      this.wire = wire;
      this.ports = ports;
      this.progress = progress;
      this.results = new PortResult[ports.length];
      this.tries = new int[ports.length];
      this.sentAt = new long[ports.length];
      this.queuedForRetry = new boolean[ports.length];
      Arrays.fill(indexOfPort, -1);
      for (int i = 0; i < ports.length; i++) {
        indexOfPort[ports[i]] = i;
      }
      this.intervalNanos = settings.maxRate() > 0 ? (long) (1e9 / settings.maxRate()) : 0;
    }

    List<PortResult> run() throws IOException {
      started = clock.getAsLong();
      nextSendAt = started;
      while (done < ports.length) {
        int sent = sendWhileAllowed();
        long now = clock.getAsLong();
        readAnswers(sent > 0 || allowance(now) > 0 ? now : waitUntil(now));
        expire(clock.getAsLong());
      }
      return List.of(results);
    }

    Summary summary() {
      return new Summary(
          probes,
          retransmissions,
          rtt.srttNanos(),
          rtt.timeoutNanos(),
          window.size(),
          largestWindow,
          retriesAllowed());
    }

    private boolean hasWork() {
      return !retry.isEmpty() || nextNew < ports.length;
    }

    /**
     * How many SYNs may go now: the window's room (or the minimum rate's arrears), and the rate.
     */
    private int allowance(long now) {
      if (!hasWork() || now - nextSendAt < 0) {
        return 0;
      }
      int room = window.size() - inFlight;
      if (settings.minRate() > 0) {
        long due = (long) ((now - started) / 1e9 * settings.minRate()) + 1;
        room = (int) Math.max(room, Math.min(BATCH, due - probes));
      }
      if (room <= 0) {
        return 0;
      }
      return intervalNanos > 0 ? 1 : Math.min(room, BATCH);
    }

    /**
     * Until the oldest probe times out, the next SYN may go (the rate, the minimum rate), or a
     * timeout's length at most.
     */
    private long waitUntil(long now) {
      long timeout = rtt.timeoutNanos();
      long until = now + timeout;
      if (!waiting.isEmpty()) {
        until = Math.min(until, waiting.firstTime() + timeout);
      }
      if (hasWork()) {
        if (inFlight < window.size()) {
          until = Math.min(until, nextSendAt);
        }
        if (settings.minRate() > 0) {
          until = Math.min(until, started + (long) ((probes + 1) * 1e9 / settings.minRate()));
        }
      }
      return Math.max(now, until);
    }

    /** Sends batches while the window and the rates allow, reading answers between; how many. */
    private int sendWhileAllowed() throws IOException {
      int total = 0;
      while (true) {
        int allowed = allowance(clock.getAsLong());
        if (allowed == 0) {
          return total;
        }
        int count = 0;
        while (count < allowed && !retry.isEmpty()) {
          int index = retry.pollFirst();
          queuedForRetry[index] = false;
          if (results[index] == null) {
            batchIndexes[count++] = index;
          }
        }
        int fromRetry = count;
        for (int next = nextNew; count < allowed && next < ports.length; next++) {
          batchIndexes[count++] = next;
        }
        if (count == 0) {
          continue; // only answered ports were queued for a retry
        }
        for (int i = 0; i < count; i++) {
          batchPorts[i] = ports[batchIndexes[i]];
        }
        int sent = wire.send(batchPorts, count);
        long now = clock.getAsLong();
        for (int i = 0; i < sent; i++) {
          int index = batchIndexes[i];
          tries[index]++;
          sentAt[index] = now;
          waiting.add(((long) index << 8) | tries[index], now);
          inFlight++;
        }
        for (int i = Math.min(count, fromRetry) - 1; i >= sent; i--) {
          retry.addFirst(batchIndexes[i]); // not sent: first again next time
          queuedForRetry[batchIndexes[i]] = true;
        }
        retransmissions += Math.min(sent, fromRetry);
        nextNew += Math.max(0, sent - fromRetry);
        probes += sent;
        total += sent;
        largestWindow = Math.max(largestWindow, window.size());
        if (intervalNanos > 0) {
          nextSendAt = Math.max(nextSendAt + intervalNanos * sent, now);
        }
        if (sent < count) {
          nextSendAt = Math.max(nextSendAt, now + QUEUE_FULL_PAUSE_NANOS);
          return total;
        }
        readAnswers(now);
      }
    }

    /** Reads answers until none waits, waiting for the first until {@code deadlineNanos}. */
    private void readAnswers(long deadlineNanos) throws IOException {
      Optional<SynAnswer> answer = wire.next(deadlineNanos);
      while (answer.isPresent()) {
        record(answer.get());
        answer = wire.next(clock.getAsLong());
      }
    }

    private void record(SynAnswer answer) {
      int index = indexOfPort[answer.port()];
      if (index < 0 || results[index] != null || tries[index] == 0) {
        return; // not asked, answered already (a retransmitted SYN-ACK), or a stray
      }
      if (!queuedForRetry[index]) {
        inFlight--; // a port queued for a retry was no longer in flight
      }
      window.answered();
      if (tries[index] == 1) {
        rtt.sample(clock.getAsLong() - sentAt[index]); // Karn: first tries only
      } else {
        mostRetriesAnswered = Math.max(mostRetriesAnswered, tries[index] - 1);
      }
      PortState state =
          switch (answer.kind()) {
            case SYN_ACK -> PortState.OPEN;
            case RESET -> PortState.CLOSED;
            case UNREACHABLE -> PortState.FILTERED;
          };
      finish(index, new PortResult(answer.port(), state, answer.reason(), ""));
    }

    /** nmap's allowedTryno: one retry more than any answered port needed, within the setting. */
    private int retriesAllowed() {
      return Math.min(settings.retries(), Math.max(1, mostRetriesAnswered + 1));
    }

    /** Probes unanswered after the timeout: another try, or filtered after the last. */
    private void expire(long now) {
      long timeout = rtt.timeoutNanos();
      while (!waiting.isEmpty() && now - waiting.firstTime() >= timeout) {
        long time = waiting.firstTime();
        long probe = waiting.removeFirst();
        int index = (int) (probe >>> 8);
        int attempt = (int) (probe & 0xff);
        if (results[index] != null || attempt != tries[index]) {
          continue; // answered, or an earlier try of a port tried again since
        }
        inFlight--;
        window.dropped(time, now, inFlight + 1);
        if (attempt <= retriesAllowed()) {
          retry.addLast(index);
          queuedForRetry[index] = true;
        } else {
          finish(index, new PortResult(ports[index], PortState.FILTERED, "no-response", ""));
        }
      }
    }

    private void finish(int index, PortResult result) {
      results[index] = result;
      progress.finished(++done, ports.length);
    }
  }

  /** A first-in first-out queue of (probe, time) pairs in two growing ring arrays: no boxing. */
  private static final class ProbeQueue {
    private long[] probes = new long[1024];
    private long[] times = new long[1024];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    void add(long probe, long time) {
      if (size == probes.length) {
        probes = unrolled(probes);
        times = unrolled(times);
        head = 0;
      }
      int at = (head + size) & (probes.length - 1);
      probes[at] = probe;
      times[at] = time;
      size++;
    }

    long firstTime() {
      return times[head];
    }

    long removeFirst() {
      long probe = probes[head];
      head = (head + 1) & (probes.length - 1);
      size--;
      return probe;
    }

    /** Twice as long, the queue's elements first in order. */
    private long[] unrolled(long[] ring) {
      long[] bigger = new long[ring.length * 2];
      int first = ring.length - head;
      System.arraycopy(ring, head, bigger, 0, first);
      System.arraycopy(ring, 0, bigger, first, head);
      return bigger;
    }
  }
}
