package dev.wharf.bench.load;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The clock and latency histogram every load generator runs by (through its {@link LoadLoop}): a
 * warmup, then {@code repeats} windows of {@code duration} seconds, printing the lines {@link
 * dev.wharf.bench.GeneratorWindows} reads ({@code PHASE warmup ...}, {@code MEASURE_START r}, and
 * the generator's own {@code RESULT ...}). Latencies are recorded only inside a window. The loop
 * asks {@link #due} each turn; when it is, it prints the RESULT (if {@link #measuring}), then
 * {@link #next} opens the following window or says it was the last.
 *
 * <p>Not thread-safe: the generator's one thread owns it.
 */
public final class TimedWindows {
  private static final long MAX_LATENCY = TimeUnit.SECONDS.toNanos(60);

  private final double warmup;
  private final double duration;
  private final int repeats;
  private final Consumer<String> out;
  private final Histogram histogram = new Histogram(MAX_LATENCY, 3);
  private int rep; // 0 = warming up
  private long windowStart;
  private long phaseEnd;

  public TimedWindows(double warmup, double duration, int repeats, Consumer<String> out) {
    this.warmup = warmup;
    this.duration = duration;
    this.repeats = repeats;
    this.out = out;
  }

  /** Starts the warmup at {@code now}; {@code what} describes the load on the PHASE line. */
  public void start(long now, String what) {
    out.accept(String.format(Locale.ROOT, "PHASE warmup %.0fs %s", warmup, what));
    phaseEnd = now + nanos(warmup);
  }

  /** Whether the warmup or the current window has ended at {@code now}. */
  public boolean due(long now) {
    return now >= phaseEnd;
  }

  /** Whether a window (not the warmup) is running: its RESULT is due when {@link #due}. */
  public boolean measuring() {
    return rep > 0;
  }

  /** The number of the current window, from 1. */
  public int rep() {
    return rep;
  }

  /** Seconds since the current window opened. */
  public double seconds(long now) {
    return (now - windowStart) / 1e9;
  }

  /**
   * Opens the next window at {@code now} (an empty histogram, a {@code MEASURE_START} line); false
   * if the last one has ended. The generator resets its own counters when this returns true.
   */
  public boolean next(long now) {
    rep++;
    if (rep > repeats) {
      return false;
    }
    histogram.reset();
    windowStart = now;
    phaseEnd = now + nanos(duration);
    out.accept("MEASURE_START " + rep);
    return true;
  }

  /** Records one latency, from {@code since} to {@code now}, if a window is running. */
  public void record(long since, long now) {
    if (rep > 0) {
      histogram.recordValue(Math.min(now - since, MAX_LATENCY));
    }
  }

  /** The current window's percentiles, as RESULT fields. */
  public String latency() {
    return String.format(
        Locale.ROOT,
        "p50us=%.1f p90us=%.1f p99us=%.1f p999us=%.1f maxus=%.1f",
        histogram.getValueAtPercentile(50) / 1e3,
        histogram.getValueAtPercentile(90) / 1e3,
        histogram.getValueAtPercentile(99) / 1e3,
        histogram.getValueAtPercentile(99.9) / 1e3,
        histogram.getMaxValue() / 1e3);
  }

  public static long nanos(double seconds) {
    return (long) (seconds * 1e9);
  }
}
