package dev.wharf.cli.admin;

import dev.wharf.http.server.AccessLogEntry;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Counts the served requests by status class, from the HTTP server's access log entries (one per
 * answered request, on whichever loop or handler thread answered it): {@link LongAdder}s, so the
 * loops never contend on one counter.
 */
public final class RequestCounter implements Consumer<AccessLogEntry> {
  /** The status classes, as /metrics labels them: 1xx ... 5xx. */
  static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final LongAdder[] byClass = new LongAdder[CLASSES.length];

  public RequestCounter() {
    for (int i = 0; i < byClass.length; i++) {
      byClass[i] = new LongAdder();
    }
  }

  @Override
  public void accept(AccessLogEntry entry) {
    int index = entry.status() / 100 - 1;
    byClass[Math.clamp(index, 0, byClass.length - 1)].increment();
  }

  /** Requests answered with a status of this class ({@code 0} for 1xx ... {@code 4} for 5xx). */
  long count(int statusClass) {
    return byClass[statusClass].sum();
  }

  /** Requests answered so far. */
  long total() {
    long sum = 0;
    for (LongAdder adder : byClass) {
      sum += adder.sum();
    }
    return sum;
  }
}
