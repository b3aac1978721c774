package dev.wharf.load;

import java.util.List;
import java.util.Map;

/**
 * What a run measured, after its warmup: {@code requests} answered in {@code seconds}, their {@link
 * Latency}, the bytes read and written, the HTTP status classes seen ({@code statusClasses[k]}
 * counts kxx, k = 1 to 5), the {@link ErrorKind errors} (and what the first of each kind said), the
 * connections opened, those still open at the end, and the throughput second by second ({@code
 * timeline}). A {@link LoadPlan.Hold held} run's requests are pings; it also counts the text {@code
 * messages} the server sent and times those stamped with when they were sent ({@code
 * messageLatency}). {@code clientCpuSeconds}: the CPU time the load's own threads spent while it
 * measured (user and system): near {@code seconds} times the threads, the client itself was the
 * limit. Immutable.
 */
public record LoadReport(
    LoadPlan plan,
    double seconds,
    long requests,
    Latency latency,
    long bytesRead,
    long bytesWritten,
    long[] statusClasses,
    Map<ErrorKind, Long> errors,
    Map<ErrorKind, String> firstErrors,
    long connectionsOpened,
    long connectionsOpenAtEnd,
    List<Sample> timeline,
    long messages,
    Latency messageLatency,
    double clientCpuSeconds) {

  public LoadReport {
    statusClasses = statusClasses.clone();
    errors = Map.copyOf(errors);
    firstErrors = Map.copyOf(firstErrors);
    timeline = List.copyOf(timeline);
  }

  /**
   * Latencies in microseconds: the usual percentiles, the mean and the largest, and the whole
   * distribution as (percentile, value) points, dense towards the tail, for a percentile plot.
   */
  public record Latency(
      long count,
      double mean,
      double p50,
      double p90,
      double p99,
      double p999,
      double p9999,
      double max,
      List<Point> distribution) {
    public Latency {
      distribution = List.copyOf(distribution);
    }
  }

  /**
   * One point of a percentile plot: {@code percentile} (0 to 100) of latencies are at most this.
   */
  public record Point(double percentile, double micros) {}

  /** One interval of the run: from {@code second} on, {@code requests} answered, {@code errors}. */
  public record Sample(double second, double seconds, long requests, long errors) {
    public double perSecond() {
      return seconds > 0 ? requests / seconds : 0;
    }
  }

  /** Requests answered per second over the run. */
  public double throughput() {
    return seconds > 0 ? requests / seconds : 0;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  public long errors(ErrorKind kind) {
    return errors.getOrDefault(kind, 0L);
  }

  @Override
  public long[] statusClasses() {
    return statusClasses.clone();
  }
}
