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
 * costs the hot path nothing. {@link #observe Observers} hear of every listener and connection as
 * it opens and closes; without any, opening and closing cost one volatile read more.
 */
public final class SocketRegistry {

  /**
   * Hears the registry's events. Connection events come on the connection's own loop (a listener's
   * on the thread that bound or closed it): an observer must be quick and must not block, and it
   * must be thread-safe, as several loops call it at once. What it throws is logged and ignored.
   */
  public interface Observer {
    /** A listening endpoint was bound. */
    default void listening(ListenerInfo listener) {}

    /** A listening endpoint was closed. */
    default void stoppedListening(ListenerInfo listener) {}

    /** A connection was accepted or connected: its first snapshot. */
    void opened(ConnectionInfo connection);

    /** A connection's socket was released: its last snapshot, with its final byte counts. */
    void closed(ConnectionInfo connection);
  }

  private static final System.Logger LOG = LazyLogger.of(SocketRegistry.class);
  private static final Observer[] NONE = {};

  /** Something that listens: a stream server or a datagram endpoint. */
  interface Listening {
    ListenerInfo info();

    void close();
  }

  private final EventLoopGroup group;
  private final Set<Listening> listeners = ConcurrentHashMap.newKeySet();
  private final AtomicLong open = new AtomicLong();
  private final AtomicLong total = new AtomicLong();
  // Copied on change (rare), read once per open and close (often): no lock on the loops.
  private volatile Observer[] observers = NONE;

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

  /**
   * Starts telling {@code observer} of every listener and connection that opens or closes from now
   * on (those open already are in {@link #listeners()} and {@link #connections()}); cancel to stop.
   */
  public Cancellable observe(Observer observer) {
    java.util.Objects.requireNonNull(observer);
    synchronized (this) {
      var more = java.util.Arrays.copyOf(observers, observers.length + 1);
      more[more.length - 1] = observer;
      observers = more;
    }
    return () -> {
      synchronized (this) {
        observers =
            java.util.Arrays.stream(observers).filter(o -> o != observer).toArray(Observer[]::new);
      }
    };
  }

  void add(Listening listening) {
    listeners.add(listening);
    tell(listening, true);
  }

  void remove(Listening listening) {
    if (listeners.remove(listening)) {
      tell(listening, false);
    }
  }

  void opened(Connection connection) {
    open.incrementAndGet();
    total.incrementAndGet();
    tell(connection, true);
  }

  void closed(Connection connection) {
    open.decrementAndGet();
    tell(connection, false);
  }

  private void tell(Listening listening, boolean bound) {
    Observer[] now = observers;
    if (now.length == 0) {
      return;
    }
    ListenerInfo info = listening.info();
    for (Observer observer : now) {
      try {
        if (bound) {
          observer.listening(info);
        } else {
          observer.stoppedListening(info);
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "socket registry observer failed", e);
      }
    }
  }

  private void tell(Connection connection, boolean opened) {
    Observer[] now = observers;
    if (now.length == 0) {
      return; // the hot path: no snapshot made
    }
    ConnectionInfo info = connection.info();
    for (Observer observer : now) {
      try {
        if (opened) {
          observer.opened(info);
        } else {
          observer.closed(info);
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "socket registry observer failed", e);
      }
    }
  }

  void closeListeners() {
    List.copyOf(listeners).forEach(Listening::close);
  }
}
