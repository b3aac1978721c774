package dev.wharf.scan;

import dev.wharf.packets.SynAnswer;
import dev.wharf.packets.SynProber;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A half-open SYN scan (nmap's {@code -sS}) of one host through a {@link SynProber}: open on a
 * SYN-ACK, closed on a RST, filtered on an ICMP unreachable or, as nmap, on silence after {@code
 * retries} more SYNs, each {@code timeout} apart. At most {@code concurrency} ports wait for an
 * answer at once, and at most {@code rate} SYNs go out a second.
 *
 * <p>One thread does everything: it sends while the window and the rate allow, reads every answer
 * waiting after each few sends (so that the capture's buffer never fills with answers unread), and
 * waits for answers only when it may send nothing more. {@link #scan} blocks the calling thread;
 * any thread.
 */
public final class SynScanner {
  /** Answers are read after this many SYNs, before the capture's buffer could fill. */
  private static final int SENDS_BETWEEN_READS = 16;

  /** How long to back off when the kernel's queue is full (ENOBUFS). */
  private static final long QUEUE_FULL_PAUSE_NANOS = 1_000_000;

  /**
   * How to scan.
   *
   * @param concurrency the most ports awaiting an answer at once
   * @param rate the most SYNs sent per second; 0 for no limit
   * @param timeout how long one SYN waits for an answer before the next try
   * @param retries how many more SYNs a silent port gets before it counts as filtered
   */
  public record Settings(int concurrency, double rate, Duration timeout, int retries) {
    public Settings {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
      }
      if (!(rate >= 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("rate must be a positive number, got " + rate);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      if (retries < 0 || retries > 50) {
        throw new IllegalArgumentException("retries must be 0 to 50, got " + retries);
      }
    }
  }

  /** What the scanner sends through and hears from: a {@link SynProber}, or a test's fake. */
  public interface Wire {
    /** Sends a SYN to {@code port}; false when the kernel's queue was full. */
    boolean send(int port) throws IOException;

    /** The next answer, waiting until {@code deadlineNanos} at most. */
    Optional<SynAnswer> next(long deadlineNanos) throws IOException;

    static Wire of(SynProber prober) {
      return new Wire() {
        @Override
        public boolean send(int port) throws IOException {
          return prober.send(port);
        }

        @Override
        public Optional<SynAnswer> next(long deadlineNanos) throws IOException {
          return prober.next(deadlineNanos);
        }
      };
    }
  }

  private final Settings settings;

  public SynScanner(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Probes every port of {@code ports} through {@code wire}; the results sorted by port. */
  public List<PortResult> scan(Wire wire, PortList ports, TcpScanner.Progress progress)
      throws IOException {
    return new Run(wire, ports.ports(), progress).run();
  }

  /** One scan's state; lives on the scanning thread. */
  private final class Run {
    private final Wire wire;
    private final int[] ports;
    private final TcpScanner.Progress progress;
    private final PortResult[] results;
    private final int[] indexOfPort = new int[65_536];
    private final int[] tries;

    /** Probes awaiting an answer, oldest first: (index << 8 | try), with when each went. */
    private final ArrayDeque<long[]> waiting = new ArrayDeque<>();

    /** Silent ports due another try, in the order they fell silent. */
    private final ArrayDeque<Integer> retry = new ArrayDeque<>();

    private final long timeoutNanos = settings.timeout().toNanos();
    private final long intervalNanos;
    private int nextNew;
    private int inFlight;
    private int done;
    private long nextSendAt = System.nanoTime();

    Run(Wire wire, int[] ports, TcpScanner.Progress progress) {
      this.wire = wire;
      this.ports = ports;
      this.progress = progress;
      this.results = new PortResult[ports.length];
      this.tries = new int[ports.length];
      Arrays.fill(indexOfPort, -1);
      for (int i = 0; i < ports.length; i++) {
        indexOfPort[ports[i]] = i;
      }
      this.intervalNanos = settings.rate() > 0 ? (long) (1e9 / settings.rate()) : 0;
    }

    List<PortResult> run() throws IOException {
      while (done < ports.length) {
        int sent = sendWhileAllowed();
        readAnswers(sent > 0 || canSend() ? System.nanoTime() : waitUntil());
        expire(System.nanoTime());
      }
      return List.of(results);
    }

    private boolean hasWork() {
      return !retry.isEmpty() || nextNew < ports.length;
    }

    private boolean canSend() {
      return hasWork() && inFlight < settings.concurrency() && System.nanoTime() >= nextSendAt;
    }

    /** Until the oldest probe times out or the next SYN may go, whichever is first. */
    private long waitUntil() {
      long until = System.nanoTime() + timeoutNanos;
      if (!waiting.isEmpty()) {
        until = Math.min(until, waiting.peekFirst()[1] + timeoutNanos);
      }
      if (hasWork() && inFlight < settings.concurrency()) {
        until = Math.min(until, nextSendAt);
      }
      return until;
    }

    /** Sends as many SYNs as the window and rate allow, reading answers between; how many. */
    private int sendWhileAllowed() throws IOException {
      int sent = 0;
      while (canSend()) {
        int index = retry.isEmpty() ? nextNew : retry.peekFirst();
        if (!wire.send(ports[index])) {
          nextSendAt = System.nanoTime() + QUEUE_FULL_PAUSE_NANOS;
          break;
        }
        if (retry.isEmpty()) {
          nextNew++;
        } else {
          retry.pollFirst();
        }
        tries[index]++;
        inFlight++;
        long now = System.nanoTime();
        waiting.addLast(new long[] {((long) index << 8) | tries[index], now});
        nextSendAt = intervalNanos == 0 ? now : Math.max(nextSendAt + intervalNanos, now);
        if (++sent % SENDS_BETWEEN_READS == 0) {
          readAnswers(now);
        }
      }
      return sent;
    }

    /** Reads answers until none waits, waiting for the first until {@code deadlineNanos}. */
    private void readAnswers(long deadlineNanos) throws IOException {
      Optional<SynAnswer> answer = wire.next(deadlineNanos);
      while (answer.isPresent()) {
        record(answer.get());
        answer = wire.next(System.nanoTime());
      }
    }

    private void record(SynAnswer answer) {
      int index = indexOfPort[answer.port()];
      if (index < 0 || results[index] != null || tries[index] == 0) {
        return; // not asked, answered already (a retransmitted SYN-ACK), or a stray
      }
      PortState state =
          switch (answer.kind()) {
            case SYN_ACK -> PortState.OPEN;
            case RESET -> PortState.CLOSED;
            case UNREACHABLE -> PortState.FILTERED;
          };
      if (!retry.remove(index)) {
        inFlight--; // a port queued for a retry was no longer in flight
      }
      finish(index, new PortResult(answer.port(), state, answer.reason(), ""));
    }

    /** Probes unanswered after the timeout: another try, or filtered after the last. */
    private void expire(long now) {
      while (!waiting.isEmpty() && now - waiting.peekFirst()[1] >= timeoutNanos) {
        long[] probe = waiting.pollFirst();
        int index = (int) (probe[0] >>> 8);
        int attempt = (int) (probe[0] & 0xff);
        if (results[index] != null || attempt != tries[index]) {
          continue; // answered, or an earlier try of a port tried again since
        }
        inFlight--;
        if (attempt <= settings.retries()) {
          retry.addLast(index);
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
}
