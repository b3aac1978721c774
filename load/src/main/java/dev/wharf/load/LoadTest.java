package dev.wharf.load;

import dev.wharf.load.LoadReport.Latency;
import dev.wharf.load.LoadReport.Point;
import dev.wharf.load.LoadReport.Sample;
import dev.wharf.load.internal.Plan;
import dev.wharf.load.internal.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Runs one {@link LoadPlan}: resolves the target, starts the workers, samples their counters every
 * {@link #TICK_MILLIS} for the {@link Progress} and every second for the timeline, and when they
 * have ended merges what they measured into a {@link LoadReport}.
 *
 * <p>{@link #run} blocks the calling thread; {@link #stop} may be called from any other (a Ctrl-C
 * hook) and makes {@code run} end early with what was measured so far.
 */
public final class LoadTest {
  /** How often the progress is told, in milliseconds. */
  public static final long TICK_MILLIS = 250;

  /** What the run is doing, told every tick on the thread that called {@link #run}. */
  public interface Progress {
    void update(Live live);

    Progress NONE = live -> {};
  }

  /**
   * The run so far: warming up or measuring, seconds since the measurement began (negative in the
   * warmup), requests answered and errors since then, connections opened in all.
   */
  public record Live(boolean warmingUp, double seconds, long requests, long errors, long opened) {}

  private final LoadPlan plan;
  private volatile boolean stopped;

  public LoadTest(LoadPlan plan) {
    this.plan = plan;
  }

  /** Makes {@link #run} stop early; any thread. */
  public void stop() {
    stopped = true;
  }

  /**
   * Runs the plan and reports; throws {@link UnknownHostException} if the host has no address, and
   * {@link IOException} if the TLS context or a selector cannot be made.
   */
  public LoadReport run(Progress progress) throws IOException, InterruptedException {
    InetSocketAddress address;
    try {
      address =
          new InetSocketAddress(InetAddress.getByName(plan.target().host()), plan.target().port());
    } catch (UnknownHostException e) {
      throw new UnknownHostException("cannot resolve " + plan.target().host());
    }
    var prepared = new Plan(plan, address, plan.target().scheme().isTls() ? sslContext() : null);

    long start = System.nanoTime();
    long measureStart = start + plan.warmup().toNanos();
    long end = plan.duration() == null ? Long.MAX_VALUE : measureStart + plan.duration().toNanos();
    int threads =
        plan.requests() > 0 ? (int) Math.min(plan.threads(), plan.requests()) : plan.threads();
    var workers = new ArrayList<Worker>();
    var running = new ArrayList<Thread>();
    int first = 0;
    for (int t = 0; t < threads; t++) {
      int count = plan.connections() / threads + (t < plan.connections() % threads ? 1 : 0);
      long budget =
          plan.requests() > 0
              ? plan.requests() / threads + (t < plan.requests() % threads ? 1 : 0)
              : 0;
      workers.add(
          new Worker(prepared, first, count, plan.connections(), start, measureStart, end, budget));
      first += count;
    }
    for (int t = 0; t < threads; t++) {
      running.add(Thread.ofPlatform().name("wharf-bench-" + t).start(workers.get(t)));
    }

    var timeline = new ArrayList<Sample>();
    long lastSample = measureStart;
    long lastAnswered = 0;
    long lastErrors = 0;
    long timeout = plan.timeout().toNanos();
    // When the last answer came (or the run began), and the errors by then: a run that has had
    // errors and no answer for a whole timeout (nothing listens, every connection is reset, the
    // server went silent) stops, or a run of -n requests would never end.
    long lastAnswer = start;
    long answeredThen = 0;
    long errorsThen = 0;
    try {
      while (running.stream().anyMatch(Thread::isAlive)) {
        long now = System.nanoTime();
        long nextSample =
            now - measureStart < 0 ? measureStart : lastSample + TimeUnit.SECONDS.toNanos(1);
        long wait =
            Math.min(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS), Math.max(0, nextSample - now));
        running.getFirst().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
        now = System.nanoTime();
        long answered = workers.stream().mapToLong(Worker::liveAnswered).sum();
        long errors = workers.stream().mapToLong(Worker::liveErrors).sum();
        long opened = workers.stream().mapToLong(Worker::liveOpened).sum();
        if (now - measureStart >= 0 && now - lastSample >= TimeUnit.SECONDS.toNanos(1)) {
          timeline.add(
              sample(measureStart, lastSample, now, answered - lastAnswered, errors - lastErrors));
          lastSample = now;
          lastAnswered = answered;
          lastErrors = errors;
        }
        progress.update(
            new Live(now - measureStart < 0, (now - measureStart) / 1e9, answered, errors, opened));
        if (answered > answeredThen) {
          lastAnswer = now;
          answeredThen = answered;
          errorsThen = errors;
        }
        // A held run answers only its sparse pings: its errors are for the report, not a stop.
        boolean failing = !plan.hold().isOn() && now - lastAnswer > timeout && errors > errorsThen;
        if (stopped || failing) {
          workers.forEach(Worker::stop);
        }
      }
    } finally {
      workers.forEach(Worker::stop);
      for (Thread thread : running) {
        thread.join();
      }
    }
    long finished = System.nanoTime();
    if (end != Long.MAX_VALUE && finished - end > 0) {
      finished = end; // The workers stop at their next turn after it; nothing counts after it.
    }
    long answered = workers.stream().mapToLong(Worker::answered).sum();
    long errorTotal = 0;
    for (ErrorKind kind : ErrorKind.values()) {
      for (Worker w : workers) {
        errorTotal += w.errors(kind);
      }
    }
    if (finished - lastSample > TimeUnit.MILLISECONDS.toNanos(50) && finished - measureStart > 0) {
      timeline.add(
          sample(
              measureStart,
              lastSample,
              finished,
              answered - lastAnswered,
              errorTotal - lastErrors));
    }
    return report(workers, Math.max(0, (finished - measureStart) / 1e9), timeline);
  }

  private static Sample sample(long measureStart, long from, long to, long answered, long errors) {
    return new Sample((from - measureStart) / 1e9, (to - from) / 1e9, answered, errors);
  }

  private LoadReport report(List<Worker> workers, double seconds, List<Sample> timeline) {
    var histogram = new Histogram(Worker.MAX_LATENCY, 3);
    var messageLatency = new Histogram(Worker.MAX_LATENCY, 3);
    long messages = 0;
    long openAtEnd = 0;
    long[] statusClasses = new long[6];
    long bytesRead = 0;
    long bytesWritten = 0;
    long opened = 0;
    long answered = 0;
    long cpuNanos = 0;
    Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
    Map<ErrorKind, String> firstErrors = new EnumMap<>(ErrorKind.class);
    for (Worker w : workers) {
      histogram.add(w.histogram());
      messageLatency.add(w.messageLatency());
      messages += w.messages();
      openAtEnd += w.openAtEnd();
      for (int k = 1; k <= 5; k++) {
        statusClasses[k] += w.statusClass(k);
      }
      bytesRead += w.bytesRead();
      bytesWritten += w.bytesWritten();
      opened += w.opened();
      answered += w.answered();
      cpuNanos += w.cpuNanos();
      for (ErrorKind kind : ErrorKind.values()) {
        if (w.errors(kind) > 0) {
          errors.merge(kind, w.errors(kind), Long::sum);
          if (w.firstError(kind) != null) {
            firstErrors.putIfAbsent(kind, w.firstError(kind));
          }
        }
      }
    }
    return new LoadReport(
        plan,
        seconds,
        answered,
        latency(histogram),
        bytesRead,
        bytesWritten,
        statusClasses,
        errors,
        firstErrors,
        opened,
        openAtEnd,
        timeline,
        messages,
        latency(messageLatency),
        cpuNanos / 1e9);
  }

  /** Percentiles in microseconds, and the distribution with 5 points per halving of the tail. */
  static Latency latency(Histogram h) {
    var points = new ArrayList<Point>();
    if (h.getTotalCount() > 0) {
      for (HistogramIterationValue v : h.percentiles(5)) {
        points.add(new Point(v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1e3));
        if (v.getPercentileLevelIteratedTo() >= 100) {
          break;
        }
      }
    }
    return new Latency(
        h.getTotalCount(),
        h.getTotalCount() == 0 ? 0 : h.getMean() / 1e3,
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(90) / 1e3,
        h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3,
        h.getValueAtPercentile(99.99) / 1e3,
        h.getMaxValue() / 1e3,
        points);
  }

  /** The JDK's trust (and host name checks), or, when the plan is insecure, trust in anything. */
  private SSLContext sslContext() throws IOException {
    try {
      if (!plan.insecure()) {
        return SSLContext.getDefault();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustingAnything()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** --insecure: a test server's self-signed certificate is as good as any. */
  private static final class TrustingAnything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
