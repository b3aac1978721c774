package dev.wharf.scan;

import dev.wharf.core.Client;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Timeouts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
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
    var run = new Run(address, ports.ports(), progress);
    if (settings.rate() > 0) {
      run.paced();
    } else {
      run.chained();
    }
    return run.results();
  }

  /** One scan's ports, results and counters; see the package's threads. */
  private final class Run {
    final InetAddress address;
    final int[] ports;
    final Progress progress;
    final PortResult[] results;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final CountDownLatch done;
    final Semaphore permits = new Semaphore(settings.concurrency());

    Run(InetAddress address, int[] ports, Progress progress) {
      this.address = address;
      this.ports = ports;
      this.progress = progress;
      this.results = new PortResult[ports.length];
      this.done = new CountDownLatch(ports.length);
    }

    /**
     * Without a rate: starts {@code concurrency} probes, and each finished probe starts the next on
     * its own loop, so the caller only waits (no wake-up of it per port).
     */
    void chained() throws InterruptedException {
      for (int i = 0; i < settings.concurrency(); i++) {
        launchNext();
      }
      done.await();
    }

    private void launchNext() {
      int index = next.getAndIncrement();
      if (index < ports.length) {
        launch(index, this::launchNext);
      }
    }

    /** With a rate: the caller starts each probe at its time, within the concurrency limit. */
    void paced() throws InterruptedException {
      long interval = (long) (1e9 / settings.rate());
      long slot = System.nanoTime();
      for (int i = 0; i < ports.length; i++) {
        permits.acquire();
        // Bounded: each pass parks until the slot's time, which only comes nearer.
        for (long wait = slot - System.nanoTime(); wait > 0; wait = slot - System.nanoTime()) {
          LockSupport.parkNanos(wait);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        slot = Math.max(slot, System.nanoTime() - interval) + interval;
        launch(i, permits::release);
      }
      done.await();
    }

    private void launch(int index, Runnable then) {
      probe(new InetSocketAddress(address, ports[index]))
          .whenComplete(
              (result, bug) -> {
                results[index] =
                    result != null
                        ? result
                        : new PortResult(ports[index], PortState.FILTERED, String.valueOf(bug), "");
                progress.finished(finished.incrementAndGet(), ports.length);
                done.countDown(); // Publishes results[index] to the waiting caller.
                then.run();
              });
    }

    List<PortResult> results() {
      return List.of(results);
    }
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
