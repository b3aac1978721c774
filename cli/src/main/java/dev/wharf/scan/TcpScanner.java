package dev.wharf.scan;

import dev.wharf.core.Client;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Timeouts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP connect scan (nmap's {@code -sT}): a full, unprivileged connect to each port, non-blocking
 * on the engine's event loops, at most {@code concurrency} at a time and at most {@code rate} new
 * ones a second. A port is open when the connect completes, closed when it is refused (RST), and
 * filtered when nothing answers within the timeout or an ICMP error comes back.
 *
 * <p>{@link #scan} blocks the calling thread, which paces the connects; it may be called from any
 * thread but not from an event loop of the group. Each probe runs on one loop.
 */
public final class TcpScanner {

  /**
   * How to scan.
   *
   * @param concurrency the most connects (and banner reads) in flight at once
   * @param rate the most connects started per second; 0 for no limit
   * @param timeout how long a connect may take before the port counts as filtered
   * @param bannerWait how long to read what an open port says first; zero to close at once
   */
  public record Settings(int concurrency, double rate, Duration timeout, Duration bannerWait) {
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
      Objects.requireNonNull(bannerWait, "bannerWait");
    }
  }

  /** Hears each finished probe; called on event loops, so it must be quick and thread-safe. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (finished, total) -> {};

    void finished(int finished, int total);
  }

  private final Settings settings;
  private final Client client;

  public TcpScanner(EventLoopGroup group, Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.client =
        Client.builder(group).timeouts(Timeouts.DEFAULTS.withConnect(settings.timeout())).build();
  }

  /** Probes every port of {@code ports} on {@code address}; the results sorted by port. */
  public List<PortResult> scan(InetAddress address, PortList ports, Progress progress)
      throws InterruptedException {
    int[] numbers = ports.ports();
    var results = new PortResult[numbers.length];
    var permits = new Semaphore(settings.concurrency());
    var finished = new AtomicInteger();
    long interval = settings.rate() > 0 ? (long) (1e9 / settings.rate()) : 0;
    long next = System.nanoTime();
    for (int i = 0; i < numbers.length; i++) {
      permits.acquire();
      if (interval > 0) {
        // Bounded: each pass parks until the slot's time, which only comes nearer.
        for (long wait = next - System.nanoTime(); wait > 0; wait = next - System.nanoTime()) {
          LockSupport.parkNanos(wait);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        next = Math.max(next, System.nanoTime() - interval) + interval;
      }
      int index = i;
      probe(new InetSocketAddress(address, numbers[i]))
          .whenComplete(
              (result, bug) -> {
                results[index] =
                    result != null
                        ? result
                        : new PortResult(
                            numbers[index], PortState.FILTERED, String.valueOf(bug), "");
                permits.release();
                progress.finished(finished.incrementAndGet(), numbers.length);
              });
    }
    permits.acquire(settings.concurrency()); // Every probe has finished and released its permit.
    permits.release(settings.concurrency());
    return new ArrayList<>(List.of(results));
  }

  private CompletableFuture<PortResult> probe(InetSocketAddress target) {
    var banner = new BannerReader(target.getPort(), settings.bannerWait());
    return client
        .connect(List.of(target), banner)
        .handle(
            (connection, error) ->
                error == null
                    ? banner.result()
                    : CompletableFuture.completedFuture(failed(target.getPort(), error)))
        .thenCompose(result -> result);
  }

  /** The port's state from why its connect failed. */
  static PortResult failed(int port, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof dev.wharf.core.ConnectionTimeoutException) {
      return new PortResult(port, PortState.FILTERED, "no-response", "");
    }
    String message = root(cause).getMessage() == null ? "" : root(cause).getMessage();
    String lower = message.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("refused")) {
      return new PortResult(port, PortState.CLOSED, "conn-refused", "");
    }
    if (cause instanceof java.net.NoRouteToHostException || lower.contains("unreachable")) {
      return new PortResult(port, PortState.FILTERED, "host-unreach", "");
    }
    // Anything else (no local port left, say) is not an answer from the host: say what it was.
    return new PortResult(
        port, PortState.FILTERED, cause instanceof IOException ? message : cause.toString(), "");
  }

  private static Throwable root(Throwable error) {
    Throwable root = error;
    for (int depth = 0; depth < 8 && root.getCause() != null; depth++) {
      root = root.getCause();
    }
    return root;
  }
}
