package dev.wharf.channels;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The broker of one node, in memory: offsets, history and presence live in this process and are
 * lost with it. Each channel keeps its last {@link HistoryPolicy#size()} publications, none older
 * than {@link HistoryPolicy#ttl()}; a channel with no subscriber, no presence and no history left
 * is forgotten, and comes back with a new epoch.
 *
 * <p>Thread-safe. Every call completes before it returns, on the caller's thread; listeners hear a
 * publication on the publisher's thread, under the channel's lock, which is what keeps offset
 * order.
 */
public final class InMemoryBroker implements Broker {

  /**
   * How much history each channel keeps: the last {@code size} publications, for up to {@code ttl}.
   */
  public record HistoryPolicy(int size, Duration ttl) {
    /** 100 publications, 5 minutes: a client away for a short network outage recovers. */
    public static final HistoryPolicy DEFAULTS = new HistoryPolicy(100, Duration.ofMinutes(5));

    public HistoryPolicy {
      if (size < 0) {
        throw new IllegalArgumentException("history size must be 0 or more, got " + size);
      }
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("history ttl must be positive, got " + ttl);
      }
    }
  }

  /** One publication kept, with when it was published (for the ttl). */
  private record Kept(Publication publication, long atNanos) {}

  /** One channel's state; every field guarded by the object's own lock. */
  private static final class ChannelState {
    final String epoch = newEpoch();
    long offset;
    final ArrayDeque<Kept> history = new ArrayDeque<>();
    final LinkedHashMap<String, ClientInfo> presence = new LinkedHashMap<>();
    Listener listener;
    boolean forgotten;

    boolean isIdle() {
      return listener == null && presence.isEmpty() && history.isEmpty();
    }
  }

  private static final int SWEEP_EVERY = 4096;

  private final HistoryPolicy policy;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, ChannelState> channels = new ConcurrentHashMap<>();
  private final AtomicLong publishes = new AtomicLong();

  /** A broker keeping the default history, on the system's clock. */
  public InMemoryBroker() {
    this(HistoryPolicy.DEFAULTS, System::nanoTime);
  }

  /**
   * @param nanoTime the clock the history's ttl is measured on ({@code System::nanoTime}, or a fake
   *     clock's in tests)
   */
  public InMemoryBroker(HistoryPolicy policy, LongSupplier nanoTime) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  public HistoryPolicy policy() {
    return policy;
  }

  private static String newEpoch() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
  }

  /** Runs {@code action} on the channel's state under its lock, creating the state if needed. */
  private <T> T withChannel(String channel, Function<ChannelState, T> action) {
    while (true) {
      ChannelState state = channels.computeIfAbsent(channel, name -> new ChannelState());
      synchronized (state) {
        if (state.forgotten) {
          continue; // removed between the lookup and the lock: take the new one
        }
        trim(state);
        T result = action.apply(state);
        if (state.isIdle()) {
          state.forgotten = true;
          channels.remove(channel, state);
        }
        return result;
      }
    }
  }

  /** Drops what the history policy no longer keeps; under the state's lock. */
  private void trim(ChannelState state) {
    long oldest = nanoTime.getAsLong() - policy.ttl().toNanos();
    while (!state.history.isEmpty()
        && (state.history.size() > policy.size()
            || state.history.peekFirst().atNanos() - oldest < 0)) {
      state.history.pollFirst();
    }
  }

  @Override
  public CompletableFuture<Void> subscribe(String channel, Listener listener) {
    Objects.requireNonNull(listener, "listener");
    withChannel(
        channel,
        state -> {
          state.listener = listener;
          return null;
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String channel) {
    withChannel(
        channel,
        state -> {
          state.listener = null;
          return null;
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Publication> publish(String channel, String data) {
    Objects.requireNonNull(data, "data");
    if (publishes.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep();
    }
    Publication publication =
        withChannel(
            channel,
            state -> {
              var p = new Publication(channel, state.epoch, ++state.offset, data);
              // The promise of Broker: in the history before any listener hears it.
              state.history.addLast(new Kept(p, nanoTime.getAsLong()));
              trim(state);
              if (state.listener != null) {
                state.listener.publication(p);
              }
              return p;
            });
    return CompletableFuture.completedFuture(publication);
  }

  @Override
  public CompletableFuture<History> history(String channel, OptionalLong after, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
    }
    History history =
        withChannel(
            channel,
            state -> {
              long oldestKept =
                  state.history.isEmpty()
                      ? state.offset + 1
                      : state.history.peekFirst().publication().offset();
              var selected = new ArrayList<Publication>();
              if (after.isPresent()) {
                for (Kept kept : state.history) {
                  if (selected.size() == limit) {
                    break;
                  }
                  if (kept.publication().offset() > after.getAsLong()) {
                    selected.add(kept.publication());
                  }
                }
              } else {
                Iterator<Kept> newestFirst = state.history.descendingIterator();
                while (selected.size() < limit && newestFirst.hasNext()) {
                  selected.add(newestFirst.next().publication());
                }
                Collections.reverse(selected);
              }
              return new History(
                  new StreamPosition(state.epoch, state.offset), oldestKept, selected);
            });
    return CompletableFuture.completedFuture(history);
  }

  @Override
  public CompletableFuture<Void> join(String channel, ClientInfo client) {
    withChannel(
        channel,
        state -> {
          if (state.presence.putIfAbsent(client.client(), client) == null
              && state.listener != null) {
            state.listener.joined(channel, client);
          }
          return null;
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> leave(String channel, ClientInfo client) {
    withChannel(
        channel,
        state -> {
          if (state.presence.remove(client.client()) != null && state.listener != null) {
            state.listener.left(channel, client);
          }
          return null;
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<List<ClientInfo>> presence(String channel) {
    return CompletableFuture.completedFuture(
        withChannel(channel, state -> List.copyOf(state.presence.values())));
  }

  /** Forgets the channels whose history has expired and that nobody uses. */
  private void sweep() {
    for (String channel : channels.keySet()) {
      withChannel(channel, state -> null);
    }
  }

  /** How many channels are held (for tests: forgotten channels are really gone). */
  int channelCount() {
    return channels.size();
  }

  @Override
  public String describe() {
    return "in-memory";
  }

  @Override
  public void close() {
    channels.clear();
  }
}
