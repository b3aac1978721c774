package dev.wharf.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of {@link EventLoop}s that servers, clients and datagram endpoints share. New
 * channels are spread over the loops round-robin; each then stays on its loop for life.
 *
 * <p>Thread-safe. Close it (or {@link #shutdownGracefully}) to stop the loops' threads.
 */
public final class EventLoopGroup implements AutoCloseable {
  private static final AtomicInteger GROUPS = new AtomicInteger();

  private final String name;
  private final boolean daemon;
  private final List<EventLoop> loops;
  private final AtomicInteger next = new AtomicInteger();
  private final SocketRegistry registry = new SocketRegistry(this);
  private volatile boolean shuttingDown;
  private CompletableFuture<Void> shutdown; // guarded by this

  /** A group with one loop per core, named {@code wharf}. */
  public EventLoopGroup() {
    this(Runtime.getRuntime().availableProcessors());
  }

  public EventLoopGroup(int loopCount) {
    this(loopCount, "wharf-" + GROUPS.incrementAndGet(), false);
  }

  /**
   * @param loopCount number of loops (threads)
   * @param name prefix of the loops' thread names
   * @param daemon whether the loops' threads let the JVM exit without closing the group
   */
  public EventLoopGroup(int loopCount, String name, boolean daemon) {
    if (loopCount < 1) {
      throw new IllegalArgumentException("an event loop group needs at least one loop");
    }
    this.name = name;
    this.daemon = daemon;
    var created = new ArrayList<EventLoop>(loopCount);
    try {
      for (int i = 0; i < loopCount; i++) {
        created.add(new EventLoop(this, i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
    this.loops = List.copyOf(created);
    loops.forEach(EventLoop::start);
  }

  public String name() {
    return name;
  }

  boolean daemon() {
    return daemon;
  }

  /** The loops, in index order. */
  public List<EventLoop> loops() {
    return loops;
  }

  /** The next loop, round-robin. */
  public EventLoop next() {
    return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
  }

  /** The listening endpoints and open connections of everything on this group. */
  public SocketRegistry registry() {
    return registry;
  }

  public boolean isShuttingDown() {
    return shuttingDown;
  }

  /**
   * Stops accepting, asks every connection's protocol to finish ({@link
   * Protocol#shutdownRequested}), waits up to {@code drain} for them to close, closes what is left
   * and stops the loops.
   */
  public synchronized CompletableFuture<Void> shutdownGracefully(Duration drain) {
    if (shutdown != null) {
      return shutdown;
    }
    shuttingDown = true;
    registry.closeListeners();
    var drained = new ArrayList<CompletableFuture<Void>>();
    for (EventLoop loop : loops) {
      var done = new CompletableFuture<Void>();
      drained.add(done);
      loop.execute(() -> loop.drain(done));
    }
    shutdown =
        CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new))
            .completeOnTimeout(null, drain.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .thenCompose(
                ignored -> {
                  loops.forEach(EventLoop::stop);
                  return CompletableFuture.allOf(
                      loops.stream()
                          .map(EventLoop::terminationFuture)
                          .toArray(CompletableFuture[]::new));
                });
    return shutdown;
  }

  /** Shuts down gracefully with a 5-second drain and waits for the loops to end. */
  @Override
  public void close() {
    if (loops.stream().anyMatch(EventLoop::inEventLoop)) {
      throw new IllegalStateException(
          "a loop cannot wait for its own group to stop; use shutdownGracefully()");
    }
    shutdownGracefully(Duration.ofSeconds(5)).join();
  }

  @Override
  public String toString() {
    return name + loops;
  }
}
