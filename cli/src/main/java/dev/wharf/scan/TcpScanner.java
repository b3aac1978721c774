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

/**
 * A TCP connect scan (nmap's {@code -sT}): a full, unprivileged connect to each port, non-blocking,
 * at most {@code concurrency} at a time and at most {@code rate} new ones a second. A port is open
 * when the connect completes, closed when it is refused (RST), and filtered when nothing answers
 * within the timeout, {@link Settings#retries} more times, or an ICMP error comes back. The
 * connects run on {@link ConnectProber} threads; the banners of open ports ({@link
 * Settings#bannerWait}) are read afterwards, over a second connect each, on the engine's loops.
 *
 * <p>{@link #scan} blocks the calling thread until the scan is done; it may be called from any
 * thread but not from an event loop of the group.
 */
public final class TcpScanner {

  /**
   * How to scan.
   *
   * @param concurrency the most connects (and banner reads) in flight at once
   * @param rate the most connects started per second; 0 for no limit
   * @param timeout how long a connect may take before the port counts as filtered
   * @param bannerWait how long to read what an open port says first; zero to close at once
   * @param retries how many more connects a port that did not answer within the timeout gets before
   *     it counts as filtered (nmap's --max-retries): one dropped SYN is not a filter
   */
  public record Settings(
      int concurrency, double rate, Duration timeout, Duration bannerWait, int retries) {
    /** One retry, as nmap makes when it has seen no drops. */
    public static final int DEFAULT_RETRIES = 1;

    public Settings(int concurrency, double rate, Duration timeout, Duration bannerWait) {
      this(concurrency, rate, timeout, bannerWait, DEFAULT_RETRIES);
    }

    public Settings {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
      }
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

  /**
   * Hears each finished probe; called on the scan's threads, so it must be quick and thread-safe.
   */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (finished, total) -> {};

    void finished(int finished, int total);
  }

  /**
   * Which prober scans, from the system property wharf.scan.prober: "auto" (the default: {@link
   * EpollConnectProber} for {@link #EPOLL_FROM} ports or more where Linux and native access allow,
   * NIO's {@link ConnectProber} otherwise), "epoll" (the first wherever it can run, for tests) or
   * "nio" (always NIO: for tests, and a way out should the first misbehave somewhere).
   */
  private static final String PROBER = System.getProperty("wharf.scan.prober", "auto");

  /**
   * The fewest ports the epoll prober is chosen for by default: linking libc through FFM costs the
   * JVM about 0.1 s of CPU at the start (with the startup cache, 0.25 s without), and the prober
   * saves about 20 µs a closed port.
   */
  static final int EPOLL_FROM = 8192;

  private final Settings settings;
  private final EventLoopGroup group;
  private final Boolean epoll;

  /**
   * @param group the loops that read banners ({@link Settings#bannerWait}); the connects of the
   *     scan itself run on threads of the scanner's own
   */
  public TcpScanner(EventLoopGroup group, Settings settings) {
    this(group, settings, PROBER.equals("auto") ? null : PROBER.equals("epoll"));
  }

  /**
   * @param epoll true for the epoll prober where it can run, false for NIO's, null to choose by the
   *     number of ports
   */
  TcpScanner(EventLoopGroup group, Settings settings, Boolean epoll) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.group = Objects.requireNonNull(group, "group");
    this.epoll = epoll;
  }

  /** Links the epoll prober's system calls now, where they can be: for the startup cache. */
  public static void linkNow() {
    ScanLibc.get();
  }

  /**
   * Says that a scan of {@code ports} is coming: where it will use the epoll prober, its system
   * calls are linked from now on, on a thread of their own, while the command does the rest of its
   * start.
   */
  public static void prepare(PortList ports) {
    if (!PROBER.equals("nio") && (PROBER.equals("epoll") || ports.size() >= EPOLL_FROM)) {
      ScanLibc.linkAhead();
    }
  }

  /** Whether scans here run on {@link EpollConnectProber} (Linux, with native access). */
  static boolean epollAvailable() {
    return ScanLibc.get().isPresent();
  }

  /** Probes every port of {@code ports} on {@code address}; the results sorted by port. */
  public List<PortResult> scan(InetAddress address, PortList ports, Progress progress)
      throws InterruptedException, IOException {
    int[] list = ports.ports();
    var shared =
        new ConnectProber.Shared(
            address,
            list,
            new PortResult[list.length],
            new AtomicInteger(),
            new AtomicInteger(),
            progress);
    // With a rate, one thread paces every connect; without, one per core (two at most: the
    // kernel's work per connect is the larger part, and it is shared).
    int threads =
        settings.rate() > 0
            ? 1
            : Math.max(
                1,
                Math.min(
                    Math.min(2, Runtime.getRuntime().availableProcessors()),
                    Math.min(settings.concurrency(), list.length)));
    long interval = settings.rate() > 0 ? (long) (1e9 / settings.rate()) : 0;
    var probers = new ArrayList<Prober>(threads);
    boolean useEpoll = epoll != null ? epoll : list.length >= EPOLL_FROM;
    var libc = useEpoll ? ScanLibc.get() : java.util.Optional.<ScanLibc>empty();
    var running = new ArrayList<Thread>(threads);
    try {
      for (int i = 0; i < threads; i++) {
        int limit =
            settings.concurrency() / threads + (i < settings.concurrency() % threads ? 1 : 0);
        long timeout = settings.timeout().toNanos();
        Prober prober =
            libc.isPresent()
                ? new EpollConnectProber(
                    libc.get(), shared, limit, timeout, interval, settings.retries())
                : new ConnectProber(shared, limit, timeout, interval, settings.retries());
        probers.add(prober);
        running.add(Thread.ofPlatform().daemon().name("wharf-scan-probe-" + i).start(prober));
      }
      for (Thread thread : running) {
        thread.join(); // Publishes the probers' writes of the results array.
      }
    } finally {
      probers.forEach(Prober::stop);
    }
    for (Prober prober : probers) {
      if (prober.failure() instanceof IOException e) {
        throw e;
      } else if (prober.failure() instanceof RuntimeException e) {
        throw e;
      }
    }
    PortResult[] results = shared.results();
    if (!settings.bannerWait().isZero()) {
      readBanners(address, results);
    }
    return List.of(results);
  }

  /**
   * Connects again to each open port and reads what it says first, {@code concurrency} at a time:
   * on the engine, as these connections carry data.
   */
  private void readBanners(InetAddress address, PortResult[] results) throws InterruptedException {
    var client =
        Client.builder(group).timeouts(Timeouts.DEFAULTS.withConnect(settings.timeout())).build();
    var permits = new Semaphore(settings.concurrency());
    var pending = new ArrayList<CompletableFuture<Void>>();
    for (int i = 0; i < results.length; i++) {
      if (results[i].state() != PortState.OPEN) {
        continue;
      }
      int index = i;
      int port = results[i].port();
      permits.acquire();
      var banner = new BannerReader(port, settings.bannerWait());
      pending.add(
          client
              .connect(List.of(new InetSocketAddress(address, port)), banner)
              .thenCompose(connection -> banner.result())
              .handle(
                  (result, error) -> {
                    // Gone between the two connects: still open by the first, with no banner.
                    if (result != null) {
                      results[index] = result;
                    }
                    permits.release();
                    return null;
                  }));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
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
