package dev.wharf.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an {@link EventLoopGroup} has open: its listening endpoints and its connections, as {@code
 * wharf sockets --own} and the dashboard show them.
 *
 * <p>Thread-safe. Connections are read on their own loops, so a snapshot is exact per loop and
 * costs the hot path nothing.
 */
public final class SocketRegistry {

  /** Something that listens: a stream server or a datagram endpoint. */
  interface Listening {
    ListenerInfo info();

    void close();
  }

  private final EventLoopGroup group;
  private final Set<Listening> listeners = ConcurrentHashMap.newKeySet();
  private final AtomicLong open = new AtomicLong();
  private final AtomicLong total = new AtomicLong();

  SocketRegistry(EventLoopGroup group) {
    this.group = group;
  }

  /** The listening endpoints, oldest first. */
  public List<ListenerInfo> listeners() {
    return listeners.stream()
        .map(Listening::info)
        .sorted(Comparator.comparing(ListenerInfo::since))
        .toList();
  }

  /**
   * The open connections, by id, gathered from every loop (waits up to a second for busy loops,
   * leaving out any that do not answer). Not from a loop thread: use {@link #connectionsAsync()}.
   */
  public List<ConnectionInfo> connections() {
    if (group.loops().stream().anyMatch(EventLoop::inEventLoop)) {
      throw new IllegalStateException(
          "connections() would block an event loop; use connectionsAsync()");
    }
    var all = new ArrayList<ConnectionInfo>();
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    for (var future : perLoop()) {
      try {
        all.addAll(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // A busy loop is left out rather than holding the caller.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    all.sort(Comparator.comparingLong(ConnectionInfo::id));
    return all;
  }

  /** The open connections, by id, completed once every running loop has answered. */
  public CompletableFuture<List<ConnectionInfo>> connectionsAsync() {
    var perLoop = perLoop();
    return CompletableFuture.allOf(perLoop.toArray(CompletableFuture[]::new))
        .thenApply(
            done ->
                perLoop.stream()
                    .flatMap(f -> f.join().stream())
                    .sorted(Comparator.comparingLong(ConnectionInfo::id))
                    .toList());
  }

  /** Asks each loop for its connections; a stopped loop answers with none. */
  private List<CompletableFuture<List<ConnectionInfo>>> perLoop() {
    var perLoop = new ArrayList<CompletableFuture<List<ConnectionInfo>>>();
    for (EventLoop loop : group.loops()) {
      var future = new CompletableFuture<List<ConnectionInfo>>();
      perLoop.add(future);
      try {
        loop.execute(
            () ->
                future.complete(loop.connections().stream().map(StreamConnection::info).toList()));
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        future.complete(List.of());
      }
    }
    return perLoop;
  }

  /** Connections open now. */
  public long openCount() {
    return open.get();
  }

  /** Connections opened since the group started. */
  public long totalCount() {
    return total.get();
  }

  void add(Listening listening) {
    listeners.add(listening);
  }

  void remove(Listening listening) {
    listeners.remove(listening);
  }

  void opened() {
    open.incrementAndGet();
    total.incrementAndGet();
  }

  void closed() {
    open.decrementAndGet();
  }

  void closeListeners() {
    List.copyOf(listeners).forEach(Listening::close);
  }
}
