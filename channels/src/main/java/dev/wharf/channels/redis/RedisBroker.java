package dev.wharf.channels.redis;

import dev.wharf.channels.Broker;
import dev.wharf.channels.ClientInfo;
import dev.wharf.channels.History;
import dev.wharf.channels.InMemoryBroker.HistoryPolicy;
import dev.wharf.channels.Publication;
import dev.wharf.channels.StreamPosition;
import dev.wharf.channels.internal.BrokerOutage;
import dev.wharf.channels.internal.FeedCursor;
import dev.wharf.core.LazyLogger;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A broker on one Redis server (7.0 or later), shared by every node that names it. Offsets are
 * assigned by a Lua script that increments the channel's counter, appends to its stream and
 * publishes on pub/sub in one atomic step, so offsets are consecutive whichever node publishes and
 * pub/sub carries them in order. Each node holds one pub/sub connection (subscribed to the channels
 * it serves) and a small pool for commands.
 *
 * <p>Outages: the pub/sub connection is reopened with backoff (100 ms doubling to 5 s), each loss
 * and return logged; on return, each channel is caught up from its stream, or, when Redis lost the
 * channel (a new epoch), its subscribers are told to recover ({@link Listener#lost}). Publications
 * that arrive after a gap are preceded by the missing ones read from the stream. Commands during an
 * outage fail their futures at once.
 *
 * <p>Presence: each client is a member of the channel's sorted set scored by when it expires; its
 * node refreshes it every {@code presenceTtl / 3}, and any node serving the channel removes expired
 * members and announces their leave, so a dead node's clients are gone within about {@code
 * presenceTtl}.
 *
 * <p>Thread-safe. Futures complete on virtual threads of the broker; listeners hear publications
 * and presence events on its pub/sub thread, {@code wharf-redis-pubsub}.
 */
public final class RedisBroker implements Broker {
  private static final System.Logger LOG = LazyLogger.of(RedisBroker.class);

  /** How long a departed node's clients stay in presence: the default. */
  public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(6);

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final String PREFIX = "wharf:ch:";

  /** One channel this node subscribed to: its listener and what was delivered to it last. */
  private static final class Feed {
    final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    final FeedCursor cursor; // the pub/sub thread only; unpositioned until confirmed

    Feed(String channel, Listener listener) {
      this.cursor = new FeedCursor(channel, listener);
    }
  }

  private final URI uri;
  private final HostAndPort address;
  private final JedisClientConfig clientConfig;
  private final HistoryPolicy policy;
  private final Duration presenceTtl;
  private final RedisClient redis; // pooled, thread-safe
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * As many permits as Jedis's pool has connections (commons-pool2's default maxTotal, 8): a
   * command takes one before it borrows a connection, so that nobody ever waits inside the pool.
   * Its create() waits in a synchronized loop that, with more virtual threads than connections (300
   * subscribes at once), spun and pinned every carrier: the node stopped answering for good. A
   * virtual thread parks on this semaphore properly.
   */
  private final Semaphore connections = new Semaphore(8, true);

  private final ScheduledExecutorService heartbeat;
  private final String controlChannel = "wharf:node:" + UUID.randomUUID();
  private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<ClientInfo>> members = new ConcurrentHashMap<>();
  private final Thread pubsubThread;
  private final PubSub pubsub = new PubSub();

  // Guarded by pubsub (sending on its connection is not thread-safe).
  private boolean connected;
  // What connected() reports: written with connected, read by any thread without the lock.
  private volatile boolean reachable;
  private volatile boolean closed;

  /**
   * Connects to {@code redis://host:port} (the pool connects lazily; the pub/sub thread starts at
   * once and keeps trying).
   *
   * @throws IllegalArgumentException if the URI is not {@code redis://host[:port]}
   */
  public RedisBroker(URI uri, HistoryPolicy policy, Duration presenceTtl) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.presenceTtl = Objects.requireNonNull(presenceTtl, "presenceTtl");
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("not a redis://host:port URI: " + uri);
    }
    if (presenceTtl.toMillis() < 300) {
      throw new IllegalArgumentException("presence ttl must be at least 300 ms: " + presenceTtl);
    }
    this.address = new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
    this.clientConfig =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(2000)
            .socketTimeoutMillis(5000)
            .clientName("wharf")
            .build();
    this.redis = RedisClient.builder().hostAndPort(address).clientConfig(clientConfig).build();
    this.pubsubThread = Thread.ofPlatform().name("wharf-redis-pubsub").daemon().start(this::listen);
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("wharf-redis-heartbeat").daemon().unstarted(r));
    long period = Math.max(100, presenceTtl.toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
  }

  public RedisBroker(URI uri, HistoryPolicy policy) {
    this(uri, policy, DEFAULT_PRESENCE_TTL);
  }

  /**
   * A broker that has reached its Redis once (a PING), for a server that should not start without
   * it.
   *
   * @throws IOException if Redis does not answer
   */
  public static RedisBroker connect(URI uri, HistoryPolicy policy, Duration presenceTtl)
      throws IOException {
    var broker = new RedisBroker(uri, policy, presenceTtl);
    try {
      broker.redis.ping();
      return broker;
    } catch (JedisException e) {
      broker.close();
      throw new IOException("cannot reach Redis at " + uri + ": " + e.getMessage(), e);
    }
  }

  private static String meta(String channel) {
    return PREFIX + "{" + channel + "}:m";
  }

  private static String stream(String channel) {
    return PREFIX + "{" + channel + "}:s";
  }

  private static String presenceKey(String channel) {
    return PREFIX + "{" + channel + "}:p";
  }

  private static String topic(String channel) {
    return PREFIX + "{" + channel + "}";
  }

  private static String channelOf(String topic) {
    return topic.substring(PREFIX.length() + 1, topic.length() - 1);
  }

  private static String member(ClientInfo client) {
    return client.client() + " " + client.user();
  }

  private static ClientInfo parseMember(String member) {
    int space = member.indexOf(' ');
    return new ClientInfo(member.substring(0, space), member.substring(space + 1));
  }

  private static String newEpoch() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
  }

  /** What the channel's hash lives for without use (longer than its history, so it outlives it). */
  private long stateTtlMillis() {
    return 2 * policy.ttl().toMillis() + presenceTtl.toMillis();
  }

  /** Runs a command on a pooled connection, on a virtual thread. */
  private <T> CompletableFuture<T> call(Function<UnifiedJedis, T> command) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("broker closed"));
    }
    return CompletableFuture.supplyAsync(() -> onConnection(command), calls);
  }

  /** Runs a command on a pooled connection once one is free; see {@link #connections}. */
  private <T> T onConnection(Function<UnifiedJedis, T> command) {
    connections.acquireUninterruptibly();
    try {
      return command.apply(redis);
    } finally {
      connections.release();
    }
  }

  private static Object eval(
      UnifiedJedis jedis, String script, List<String> keys, List<String> args) {
    return jedis.eval(script, keys, args);
  }

  // ---- commands ----

  @Override
  public CompletableFuture<Void> subscribe(String channel, Listener listener) {
    var feed = new Feed(channel, Objects.requireNonNull(listener, "listener"));
    feeds.put(channel, feed);
    synchronized (pubsub) {
      if (connected) {
        try {
          pubsub.subscribe(topic(channel));
        } catch (JedisException e) {
          // The connection broke; the pub/sub thread subscribes every feed when it is back.
          LOG.log(System.Logger.Level.DEBUG, () -> "redis: subscribe " + channel + ": " + e);
        }
      }
    }
    return feed.subscribed;
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String channel) {
    Feed feed = feeds.remove(channel);
    if (feed != null) {
      feed.subscribed.completeExceptionally(new IllegalStateException("unsubscribed"));
    }
    synchronized (pubsub) {
      if (connected) {
        try {
          pubsub.unsubscribe(topic(channel));
        } catch (JedisException e) {
          LOG.log(System.Logger.Level.DEBUG, () -> "redis: unsubscribe " + channel + ": " + e);
        }
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Publication> publish(String channel, String data) {
    Objects.requireNonNull(data, "data");
    return call(
        jedis -> {
          var result =
              (List<?>)
                  eval(
                      jedis,
                      RedisScripts.PUBLISH,
                      List.of(meta(channel), stream(channel)),
                      List.of(
                          newEpoch(),
                          data,
                          Integer.toString(policy.size()),
                          Long.toString(policy.ttl().toMillis()),
                          Long.toString(stateTtlMillis()),
                          topic(channel)));
          return new Publication(channel, (String) result.get(0), (Long) result.get(1), data);
        });
  }

  @Override
  public CompletableFuture<History> history(String channel, OptionalLong after, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
    }
    return call(jedis -> readHistory(jedis, channel, after, limit));
  }

  private History readHistory(UnifiedJedis jedis, String channel, OptionalLong after, int limit) {
    var result =
        (List<?>)
            eval(
                jedis,
                RedisScripts.HISTORY,
                List.of(meta(channel), stream(channel)),
                List.of(
                    newEpoch(),
                    Long.toString(after.orElse(-1)),
                    Integer.toString(limit),
                    Long.toString(policy.ttl().toMillis()),
                    Long.toString(stateTtlMillis())));
    String epoch = (String) result.get(0);
    long top = (Long) result.get(1);
    long oldest = (Long) result.get(2);
    var publications = new ArrayList<Publication>();
    for (int i = 3; i + 1 < result.size(); i += 2) {
      String id = (String) result.get(i);
      long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
      publications.add(new Publication(channel, epoch, offset, (String) result.get(i + 1)));
    }
    return new History(new StreamPosition(epoch, top), oldest, publications);
  }

  @Override
  public CompletableFuture<Void> join(String channel, ClientInfo client) {
    members.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(client);
    return call(
        jedis -> {
          joinScript(jedis, channel, client);
          return null;
        });
  }

  private void joinScript(UnifiedJedis jedis, String channel, ClientInfo client) {
    eval(
        jedis,
        RedisScripts.JOIN,
        List.of(presenceKey(channel)),
        List.of(member(client), Long.toString(presenceTtl.toMillis()), topic(channel)));
  }

  @Override
  public CompletableFuture<Void> leave(String channel, ClientInfo client) {
    members.computeIfPresent(
        channel,
        (c, set) -> {
          set.remove(client);
          return set.isEmpty() ? null : set;
        });
    return call(
        jedis -> {
          eval(
              jedis,
              RedisScripts.LEAVE,
              List.of(presenceKey(channel)),
              List.of(member(client), topic(channel)));
          return null;
        });
  }

  @Override
  public CompletableFuture<List<ClientInfo>> presence(String channel) {
    return call(
        jedis -> {
          var result =
              (List<?>)
                  eval(jedis, RedisScripts.PRESENCE, List.of(presenceKey(channel)), List.of());
          return result.stream().map(m -> parseMember((String) m)).toList();
        });
  }

  /**
   * Every {@code presenceTtl / 3}: refreshes this node's clients, keeps its channels' state alive,
   * reaps the clients of nodes that stopped, and pings the pub/sub connection (a half-open one is
   * found within a beat).
   */
  private void beat() {
    if (closed) {
      return;
    }
    try {
      for (var entry : members.entrySet()) {
        for (ClientInfo client : entry.getValue()) {
          onConnection(
              jedis -> {
                joinScript(jedis, entry.getKey(), client);
                return null;
              });
        }
      }
      for (String channel : feeds.keySet()) {
        onConnection(
            jedis -> {
              jedis.pexpire(meta(channel), stateTtlMillis());
              return eval(
                  jedis, RedisScripts.REAP, List.of(presenceKey(channel)), List.of(topic(channel)));
            });
      }
    } catch (JedisException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "redis: heartbeat failed: " + e);
    }
    synchronized (pubsub) {
      if (connected) {
        try {
          pubsub.ping();
        } catch (JedisException e) {
          LOG.log(System.Logger.Level.DEBUG, () -> "redis: pub/sub ping failed: " + e);
        }
      }
    }
  }

  @Override
  public boolean connected() {
    return reachable && !closed;
  }

  // ---- the pub/sub thread ----

  /** Holds the pub/sub connection open, reopening it with backoff. */
  private void listen() {
    long backoff = 100;
    boolean wasDown = false;
    boolean everUp = false;
    long downSince = 0;
    while (!closed) {
      try (Jedis jedis = new Jedis(address, clientConfig)) {
        if (wasDown && everUp) {
          LOG.log(
              System.Logger.Level.INFO,
              BrokerOutage.reconnected(
                  describe(), Duration.ofNanos(System.nanoTime() - downSince)));
        }
        backoff = 100;
        wasDown = false;
        everUp = true;
        jedis.subscribe(pubsub, controlChannel);
      } catch (JedisException e) {
        synchronized (pubsub) {
          connected = false;
          reachable = false;
        }
        if (closed) {
          return;
        }
        // A Redis never reached is said by whoever started the broker (connect's PING fails
        // with one clear line); only a connection that was up and went is "lost".
        if (!wasDown) {
          downSince = System.nanoTime();
          LOG.log(
              everUp ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
              BrokerOutage.unreachable(describe(), e));
        }
        wasDown = true;
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  /** Redis's pub/sub callbacks, on the pub/sub thread. */
  private final class PubSub extends JedisPubSub {
    @Override
    public void onSubscribe(String topic, int count) {
      if (topic.equals(controlChannel)) {
        synchronized (this) {
          connected = true;
          reachable = true;
          if (!feeds.isEmpty()) {
            subscribe(feeds.keySet().stream().map(RedisBroker::topic).toArray(String[]::new));
          }
        }
        return;
      }
      String channel = channelOf(topic);
      Feed feed = feeds.get(channel);
      if (feed == null) {
        return;
      }
      try {
        catchUp(channel, feed);
      } catch (JedisException e) {
        LOG.log(System.Logger.Level.DEBUG, () -> "redis: catching up " + channel + ": " + e);
      }
      feed.subscribed.complete(null);
    }

    @Override
    public void onMessage(String topic, String message) {
      if (!topic.startsWith(PREFIX) || message.length() < 2) {
        return;
      }
      String channel = channelOf(topic);
      Feed feed = feeds.get(channel);
      if (feed == null) {
        return;
      }
      String body = message.substring(2);
      switch (message.charAt(0)) {
        case 'P' -> {
          int space1 = body.indexOf(' ');
          int space2 = body.indexOf(' ', space1 + 1);
          String epoch = body.substring(0, space1);
          long offset = Long.parseLong(body.substring(space1 + 1, space2));
          received(
              channel, feed, new Publication(channel, epoch, offset, body.substring(space2 + 1)));
        }
        case 'J' -> feed.cursor.listener().joined(channel, parseMember(body));
        case 'L' -> feed.cursor.listener().left(channel, parseMember(body));
        default -> LOG.log(System.Logger.Level.DEBUG, () -> "redis: unknown message on " + topic);
      }
    }
  }

  /**
   * Sets where a feed stands: on its first confirmation, the channel's top; after a reconnect, what
   * the stream kept since the last delivery, or news of a lost history.
   */
  private void catchUp(String channel, Feed feed) {
    onConnection(
        jedis -> {
          catchUp(channel, feed, jedis);
          return null;
        });
  }

  private void catchUp(String channel, Feed feed, UnifiedJedis jedis) {
    if (!feed.subscribed.isDone() || !feed.cursor.isPositioned()) {
      feed.cursor.startAt(readHistory(jedis, channel, OptionalLong.empty(), 0).top());
      return;
    }
    History history =
        readHistory(jedis, channel, OptionalLong.of(feed.cursor.last()), Integer.MAX_VALUE);
    if (!feed.cursor.catchUp(history)) {
      LOG.log(
          System.Logger.Level.INFO,
          "redis: channel " + channel + " lost its history (new epoch); subscribers recover");
    }
  }

  /** A publication from pub/sub: in order, after any the stream holds that pub/sub missed. */
  private void received(String channel, Feed feed, Publication publication) {
    FeedCursor cursor = feed.cursor;
    if (cursor.hasGapBefore(publication)) {
      try {
        long after = cursor.last();
        int missing = (int) Math.min(Integer.MAX_VALUE, publication.offset() - after - 1);
        cursor.fill(
            onConnection(jedis -> readHistory(jedis, channel, OptionalLong.of(after), missing)),
            publication.offset());
      } catch (JedisException e) {
        LOG.log(System.Logger.Level.DEBUG, () -> "redis: filling a gap in " + channel + ": " + e);
      }
    }
    cursor.deliver(publication);
  }

  @Override
  public String describe() {
    return uri.toString();
  }

  @Override
  public void close() {
    closed = true;
    heartbeat.shutdownNow();
    synchronized (pubsub) {
      if (connected) {
        try {
          pubsub.unsubscribe();
        } catch (JedisException e) {
          // closing anyway
        }
      }
    }
    pubsubThread.interrupt();
    calls.shutdownNow();
    redis.close();
    for (Feed feed : feeds.values()) {
      feed.subscribed.completeExceptionally(new IllegalStateException("broker closed"));
    }
  }
}
