package dev.wharf.channels.nats;

import dev.wharf.channels.Broker;
import dev.wharf.channels.ClientInfo;
import dev.wharf.channels.History;
import dev.wharf.channels.InMemoryBroker.HistoryPolicy;
import dev.wharf.channels.Publication;
import dev.wharf.channels.StreamPosition;
import dev.wharf.channels.internal.BrokerOutage;
import dev.wharf.channels.internal.FeedCursor;
import dev.wharf.core.LazyLogger;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A broker on one NATS server with JetStream (2.9 or later), shared by every node that names it.
 *
 * <ul>
 *   <li><b>History</b>: the stream {@value #STREAM} holds the last publications of each channel on
 *       subject {@code wharf.h.TOKEN} (TOKEN: the channel's name in unpadded base64url), each with
 *       its epoch, offset and the stream sequence of the one before it in headers. It keeps at
 *       least the channel's last publication for ever (no age limit), which is what carries the
 *       offset on; the history ttl is applied when reading.
 *   <li><b>Offsets</b>: a publish reads the channel's last message and appends with {@code
 *       Nats-Expected-Last-Subject-Sequence} set to it (and a message id that JetStream
 *       deduplicates), so of two nodes racing for one offset one wins and the other retries.
 *   <li><b>Epoch</b>: the stream's creation time. A server that lost its storage recreates the
 *       stream, and every channel starts a new epoch with it.
 *   <li><b>Fan-out</b>: after JetStream stored it, the publisher sends the publication on the core
 *       subject {@code wharf.f.TOKEN}; a node that sees an offset arrive ahead of the next one
 *       reads the ones before it from the stream first (two publishers' core messages may cross),
 *       and drops what it delivered already.
 *   <li><b>Presence</b>: key {@code TOKEN.CLIENT.uUSER} in the bucket {@value #PRESENCE_BUCKET},
 *       whose entries expire after the presence ttl unless refreshed (every ttl / 3 by their node);
 *       join and leave travel on the fan-out subject, and each node compares the bucket with what
 *       it was told every beat, so a dead node's clients leave within about the ttl.
 * </ul>
 *
 * <p>Outages: jnats reconnects by itself, here with backoff (100 ms doubling to 5 s); each loss and
 * return is logged, and on return each channel is caught up from the stream (or its subscribers
 * told to recover, when the stream was lost). Thread-safe; futures complete on virtual threads of
 * the broker, publishes one at a time on {@code wharf-nats-publish}; listeners hear on the
 * connection's dispatcher thread or, catching up, on a virtual thread, under the channel's feed
 * lock.
 */
public final class NatsBroker implements Broker {
  private static final System.Logger LOG = LazyLogger.of(NatsBroker.class);

  static final String STREAM = "WHARF_CHANNELS";
  static final String PRESENCE_BUCKET = "wharf-presence";
  public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(6);

  private static final String OFFSET = "Wharf-Offset";
  private static final String EPOCH = "Wharf-Epoch";
  private static final String PREVIOUS = "Wharf-Prev";
  private static final String KIND = "Wharf-Kind";
  private static final String CLIENT = "Wharf-Client";
  private static final String USER = "Wharf-User";
  private static final int NO_MESSAGE = 10037;
  private static final int STREAM_NOT_FOUND = 10059;
  private static final int WRONG_LAST_SEQUENCE = 10071;
  private static final int MAX_ATTEMPTS = 50;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /*
   * SUBSCRIBED_BEFORE_READ: a feed subscribes to its fan-out subject, then reads the history, and
   * needs the server to have the subscription before it answers the read (whatever is not in the
   * read must then arrive live). No flush is needed for that, and none is made: the server handles
   * one connection's messages in order, and jnats queues the SUB ahead of the read's request (both
   * in one outgoing queue; while it reconnects, subscriptions go first and requests wait for it to
   * finish). A flush would only add a PING whose PONG jnats pairs with the oldest PING waiting: a
   * PING its writer strands (queued as it leaves reconnect mode) makes every later flush wait for
   * the PONG of the next, so it times out, for as long as the connection lasts.
   */

  /** One channel this node subscribed to; every field guarded by the object's lock. */
  private static final class Feed {
    final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    final FeedCursor cursor; // unpositioned until the first read or delivery
    final Map<String, ClientInfo> present = new HashMap<>(); // as last told to the listener
    final Map<String, Long> presentSince = new HashMap<>(); // System.nanoTime() when told

    Feed(String channel, Listener listener) {
      this.cursor = new FeedCursor(channel, listener);
    }
  }

  private final URI uri;
  private final HistoryPolicy policy;
  private final Duration presenceTtl;
  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final KeyValue presenceBucket;
  private final Dispatcher dispatcher;
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
  private final ExecutorService publisher =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("wharf-nats-publish").daemon().unstarted(r));
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("wharf-nats-heartbeat").daemon().unstarted(r));
  private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<ClientInfo>> members = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile Exception lastError; // jnats's last, for the outage line
  private final AtomicBoolean down = new AtomicBoolean(); // between DISCONNECTED and RECONNECTED
  private volatile long downSince; // System.nanoTime() when down was set

  private NatsBroker(URI uri, HistoryPolicy policy, Duration presenceTtl, Connection connection)
      throws IOException, JetStreamApiException {
    this.uri = uri;
    this.policy = policy;
    this.presenceTtl = presenceTtl;
    this.connection = connection;
    // JetStream's default of 2 s per request is short for a server just restarted on a busy
    // machine; a call that fails still fails within a bound.
    var jetStreamOptions = JetStreamOptions.builder().requestTimeout(REQUEST_TIMEOUT).build();
    this.jetStream = connection.jetStream(jetStreamOptions);
    this.management = connection.jetStreamManagement(jetStreamOptions);
    streamEpoch();
    var kvm =
        connection.keyValueManagement(
            io.nats.client.KeyValueOptions.builder().jetStreamOptions(jetStreamOptions).build());
    if (!kvm.getBucketNames().contains(PRESENCE_BUCKET)) {
      try {
        kvm.create(
            KeyValueConfiguration.builder()
                .name(PRESENCE_BUCKET)
                .ttl(presenceTtl)
                .storageType(StorageType.Memory)
                .build());
      } catch (JetStreamApiException raced) {
        // another node created it meanwhile
      }
    }
    this.presenceBucket =
        connection.keyValue(
            PRESENCE_BUCKET,
            io.nats.client.KeyValueOptions.builder().jetStreamOptions(jetStreamOptions).build());
    this.dispatcher = connection.createDispatcher(this::received);
    long period = Math.max(100, presenceTtl.toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Connects to {@code nats://host:port} and makes sure the stream and the presence bucket exist.
   *
   * @throws IllegalArgumentException if the URI is not {@code nats://host[:port]}
   * @throws IOException if the server cannot be reached or has no JetStream
   */
  public static NatsBroker connect(URI uri, HistoryPolicy policy, Duration presenceTtl)
      throws IOException {
    Objects.requireNonNull(policy, "policy");
    if (!"nats".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("not a nats://host:port URI: " + uri);
    }
    if (presenceTtl.toMillis() < 300) {
      throw new IllegalArgumentException("presence ttl must be at least 300 ms: " + presenceTtl);
    }
    var holder = new NatsBroker[1];
    Options options =
        new Options.Builder()
            .server(uri.toString())
            .connectionName("wharf")
            .connectionTimeout(Duration.ofSeconds(2))
            .maxReconnects(-1)
            .reconnectDelayHandler(
                attempt -> Duration.ofMillis(Math.min(5000, 100L << Math.min(6, attempt))))
            .connectionListener(
                (conn, event) -> {
                  if (holder[0] != null) {
                    holder[0].connectionEvent(event);
                  }
                })
            .errorListener(
                new io.nats.client.ErrorListener() {
                  @Override
                  public void exceptionOccurred(Connection conn, Exception exp) {
                    if (holder[0] != null) {
                      holder[0].lastError = exp; // the reason the next outage line gives
                    }
                  }
                })
            .build();
    Connection connection;
    try {
      connection = Nats.connect(options);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted connecting to " + uri, e);
    }
    try {
      holder[0] = new NatsBroker(uri, policy, presenceTtl, connection);
      return holder[0];
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      try {
        connection.close();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("NATS at " + uri + " has no usable JetStream: " + e.getMessage(), e);
    }
  }

  public static NatsBroker connect(URI uri, HistoryPolicy policy) throws IOException {
    return connect(uri, policy, DEFAULT_PRESENCE_TTL);
  }

  // ---- names ----

  private static String token(String channel) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(channel.getBytes(StandardCharsets.UTF_8));
  }

  private static String channelOf(String token) {
    return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
  }

  private static String historySubject(String channel) {
    return "wharf.h." + token(channel);
  }

  private static String fanOutSubject(String channel) {
    return "wharf.f." + token(channel);
  }

  private static String presenceKey(String channel, ClientInfo client) {
    return token(channel) + "." + client.client() + ".u" + token(client.user());
  }

  /** The epoch of every channel: the stream's creation time; creates the stream if missing. */
  private String streamEpoch() throws IOException, JetStreamApiException {
    StreamInfo info;
    try {
      info = management.getStreamInfo(STREAM);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
        throw e;
      }
      LOG.log(System.Logger.Level.INFO, "nats: creating stream " + STREAM);
      try {
        info =
            management.addStream(
                StreamConfiguration.builder()
                    .name(STREAM)
                    .subjects("wharf.h.>")
                    .storageType(StorageType.File)
                    .maxMessagesPerSubject(Math.max(1, policy.size()))
                    .discardPolicy(DiscardPolicy.Old)
                    .duplicateWindow(Duration.ofMinutes(2))
                    .build());
      } catch (JetStreamApiException raced) {
        info = management.getStreamInfo(STREAM); // another node created it meanwhile
      }
    }
    ZonedDateTime created = info.getCreateTime();
    return Long.toHexString(created.toEpochSecond()) + String.format("%08x", created.getNano());
  }

  private static long headerLong(MessageInfo message, String name) {
    return Long.parseLong(message.getHeaders().getFirst(name));
  }

  /** The channel's last stored message, or null. */
  private MessageInfo lastMessage(String channel) throws IOException, JetStreamApiException {
    try {
      return management.getLastMessage(STREAM, historySubject(channel));
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NO_MESSAGE) {
        return null;
      }
      throw e;
    }
  }

  private MessageInfo messageAt(long sequence) throws IOException, JetStreamApiException {
    try {
      return management.getMessage(STREAM, sequence);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NO_MESSAGE) {
        return null;
      }
      throw e;
    }
  }

  /** Runs a blocking NATS call on a virtual thread. */
  private <T> CompletableFuture<T> call(NatsCall<T> body) {
    return run(body, calls);
  }

  private <T> CompletableFuture<T> run(NatsCall<T> body, ExecutorService on) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("broker closed"));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return body.call();
          } catch (IOException
              | JetStreamApiException
              | InterruptedException
              | java.util.concurrent.TimeoutException e) {
            throw new CompletionException(e);
          }
        },
        on);
  }

  @FunctionalInterface
  private interface NatsCall<T> {
    T call()
        throws IOException,
            JetStreamApiException,
            InterruptedException,
            java.util.concurrent.TimeoutException;
  }

  // ---- publishing ----

  @Override
  public CompletableFuture<Publication> publish(String channel, String data) {
    Objects.requireNonNull(data, "data");
    return run(() -> publishNow(channel, data), publisher);
  }

  private Publication publishNow(String channel, String data)
      throws IOException, JetStreamApiException {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    Exception lastFailure = null;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        MessageInfo last = lastMessage(channel);
        String epoch = last == null ? streamEpoch() : last.getHeaders().getFirst(EPOCH);
        long offset = last == null ? 1 : headerLong(last, OFFSET) + 1;
        long previous = last == null ? 0 : last.getSeq();
        var headers = new Headers();
        headers.put(EPOCH, epoch);
        headers.put(OFFSET, Long.toString(offset));
        headers.put(PREVIOUS, Long.toString(previous));
        PublishAck ack =
            jetStream.publish(
                NatsMessage.builder()
                    .subject(historySubject(channel))
                    .headers(headers)
                    .data(bytes)
                    .build(),
                PublishOptions.builder()
                    .expectedStream(STREAM)
                    .expectedLastSubjectSequence(previous)
                    .messageId(epoch + "/" + token(channel) + "/" + offset)
                    .build());
        if (ack.isDuplicate()) {
          continue; // another node stored this offset first
        }
        headers.put(KIND, "P");
        connection.publish(
            NatsMessage.builder()
                .subject(fanOutSubject(channel))
                .headers(headers)
                .data(bytes)
                .build());
        return new Publication(channel, epoch, offset, data);
      } catch (JetStreamApiException e) {
        lastFailure = e;
        if (e.getApiErrorCode() == WRONG_LAST_SEQUENCE) {
          continue; // another node published in between
        }
        if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
          streamEpoch(); // the server lost it: a new stream, a new epoch
          continue;
        }
        throw e;
      } catch (IOException e) {
        // No stream answered (the server lost it): make it and try again, once more at most.
        lastFailure = e;
        if (attempt > 0 || !connection.getStatus().equals(Connection.Status.CONNECTED)) {
          throw e;
        }
        streamEpoch();
      }
    }
    throw new IOException(
        "could not publish to " + channel + " in " + MAX_ATTEMPTS + " attempts", lastFailure);
  }

  // ---- history ----

  @Override
  public CompletableFuture<History> history(String channel, OptionalLong after, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
    }
    return call(() -> readHistory(channel, after, limit));
  }

  /**
   * Walks back from the channel's last message along the previous-sequence headers: to the one
   * after {@code after}, or {@code limit} back, stopping where the stream or the ttl dropped them.
   */
  private History readHistory(String channel, OptionalLong after, int limit)
      throws IOException, JetStreamApiException {
    MessageInfo last = lastMessage(channel);
    if (last == null) {
      return new History(new StreamPosition(streamEpoch(), 0), 1, List.of());
    }
    String epoch = last.getHeaders().getFirst(EPOCH);
    long top = headerLong(last, OFFSET);
    ZonedDateTime oldestTime = ZonedDateTime.now(last.getTime().getZone()).minus(policy.ttl());
    long floor = Math.max(1, top - policy.size() + 1); // what the policy keeps, stream aside
    var newestFirst = new ArrayList<Publication>();
    long oldestKept = top + 1;
    MessageInfo message = last;
    while (message != null) {
      long offset = headerLong(message, OFFSET);
      if (offset < floor || message.getTime().isBefore(oldestTime)) {
        break;
      }
      oldestKept = offset;
      boolean wanted = after.isPresent() ? offset > after.getAsLong() : newestFirst.size() < limit;
      if (!wanted) {
        break;
      }
      newestFirst.add(
          new Publication(
              channel, epoch, offset, new String(message.getData(), StandardCharsets.UTF_8)));
      long previous = headerLong(message, PREVIOUS);
      message = previous == 0 ? null : messageAt(previous);
    }
    Collections.reverse(newestFirst);
    List<Publication> selected =
        after.isPresent() && newestFirst.size() > limit
            ? newestFirst.subList(0, limit)
            : newestFirst;
    return new History(new StreamPosition(epoch, top), oldestKept, selected);
  }

  // ---- subscriptions and what arrives ----

  @Override
  public CompletableFuture<Void> subscribe(String channel, Listener listener) {
    var feed = new Feed(channel, Objects.requireNonNull(listener, "listener"));
    feeds.put(channel, feed);
    dispatcher.subscribe(fanOutSubject(channel));
    call(() -> {
          if (!connected()) {
            // The history read would wait out its timeout: catchUpAll takes this feed on.
            throw new IOException("not connected");
          }
          // No flush first (see SUBSCRIBED_BEFORE_READ): the read itself comes after the SUB.
          History history = readHistory(channel, OptionalLong.empty(), 0);
          synchronized (feed) {
            if (!feed.cursor.isPositioned()) {
              feed.cursor.startAt(history.top());
            }
          }
          return null;
        })
        .whenComplete(
            (ok, failed) -> {
              if (failed != null && !connected() && !closed) {
                // An outage: the subscription waits for the broker, as on Redis; catchUpAll
                // positions the feed and completes it on reconnect. (How long a client waits is
                // the session's business.)
                LOG.log(System.Logger.Level.DEBUG, () -> "nats: subscribe " + channel + " waits");
              } else if (failed != null) {
                feed.subscribed.completeExceptionally(failed);
              } else {
                feed.subscribed.complete(null);
              }
            });
    return feed.subscribed;
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String channel) {
    if (feeds.remove(channel) != null && !closed) {
      try {
        dispatcher.unsubscribe(fanOutSubject(channel));
      } catch (IllegalStateException connectionClosed) {
        // The connection closed meanwhile (the node is stopping): its subscriptions went with it.
        LOG.log(System.Logger.Level.DEBUG, () -> "nats: unsubscribe " + channel + " after close");
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** A message on a fan-out subject; on the dispatcher's thread. */
  private void received(Message message) {
    String subject = message.getSubject();
    String channel = channelOf(subject.substring("wharf.f.".length()));
    Feed feed = feeds.get(channel);
    Headers headers = message.getHeaders();
    if (feed == null || headers == null) {
      return;
    }
    String kind = headers.getFirst(KIND);
    if ("J".equals(kind) || "L".equals(kind)) {
      var client = new ClientInfo(headers.getFirst(CLIENT), headers.getFirst(USER));
      synchronized (feed) {
        told(channel, feed, client, "J".equals(kind));
      }
      return;
    }
    var publication =
        new Publication(
            channel,
            headers.getFirst(EPOCH),
            Long.parseLong(headers.getFirst(OFFSET)),
            new String(message.getData(), StandardCharsets.UTF_8));
    synchronized (feed) {
      if (feed.cursor.hasGapBefore(publication)) {
        fill(channel, feed.cursor, publication.offset());
      }
      feed.cursor.deliver(publication);
    }
  }

  /** Delivers what the stream holds between the feed's last delivery and {@code before}. */
  private void fill(String channel, FeedCursor cursor, long before) {
    try {
      cursor.fill(readHistory(channel, OptionalLong.of(cursor.last()), Integer.MAX_VALUE), before);
    } catch (IOException | JetStreamApiException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "nats: filling a gap in " + channel + ": " + e);
    }
  }

  /** Tells the listener of a join or leave it has not heard yet; under the feed's lock. */
  private static void told(String channel, Feed feed, ClientInfo client, boolean joined) {
    if (joined) {
      if (feed.present.put(client.client(), client) == null) {
        feed.presentSince.put(client.client(), System.nanoTime());
        feed.cursor.listener().joined(channel, client);
      }
    } else if (feed.present.remove(client.client()) != null) {
      feed.presentSince.remove(client.client());
      feed.cursor.listener().left(channel, client);
    }
  }

  @Override
  public boolean connected() {
    return !closed && connection.getStatus() == Connection.Status.CONNECTED;
  }

  private void connectionEvent(ConnectionListener.Events event) {
    switch (event) {
      case DISCONNECTED -> {
        // jnats says DISCONNECTED again after each failed attempt: one line per outage.
        if (!down.compareAndSet(false, true)) {
          return;
        }
        downSince = System.nanoTime();
        Exception cause = lastError;
        lastError = null;
        LOG.log(
            System.Logger.Level.WARNING,
            BrokerOutage.unreachable(
                describe(), cause != null ? cause : new EOFException("connection closed")));
      }
      case RECONNECTED -> {
        down.set(false);
        lastError = null; // the failed attempts' errors are not the next outage's reason
        LOG.log(
            System.Logger.Level.INFO,
            BrokerOutage.reconnected(describe(), Duration.ofNanos(System.nanoTime() - downSince)));
        calls.execute(this::catchUpAll);
      }
      default -> {}
    }
  }

  /**
   * After a reconnect: each channel gets what the stream kept since its last delivery, and a
   * subscription made during the outage starts. Tried a few times (100 ms doubling to 3.2 s): just
   * after a restart the server may not answer JetStream requests yet; a subscription that still
   * cannot start fails (its subscriber gets {@code unavailable}) rather than wait for ever.
   */
  private void catchUpAll() {
    for (var entry : feeds.entrySet()) {
      String channel = entry.getKey();
      Feed feed = entry.getValue();
      for (long backoff = 100; ; backoff *= 2) {
        try {
          catchUp(channel, feed);
          break;
        } catch (IOException | JetStreamApiException | java.util.concurrent.TimeoutException e) {
          if (backoff < 3200 && connected() && feeds.get(channel) == feed) {
            LOG.log(System.Logger.Level.DEBUG, () -> "nats: catching up " + channel + ": " + e);
          } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "nats: gave up catching up " + channel);
            feed.subscribed.completeExceptionally(e); // no-op once subscribed
            break;
          }
        } catch (InterruptedException e) {
          return;
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void catchUp(String channel, Feed feed)
      throws IOException,
          JetStreamApiException,
          java.util.concurrent.TimeoutException,
          InterruptedException {
    // The resent subscriptions go out before this read (SUBSCRIBED_BEFORE_READ).
    boolean subscribedDuringOutage = false;
    synchronized (feed) {
      if (!feed.cursor.isPositioned()) {
        feed.cursor.startAt(readHistory(channel, OptionalLong.empty(), 0).top());
        subscribedDuringOutage = true;
      }
    }
    if (subscribedDuringOutage) {
      feed.subscribed.complete(null); // outside the lock: its dependents run here
      return;
    }
    synchronized (feed) {
      History history =
          readHistory(channel, OptionalLong.of(feed.cursor.last()), Integer.MAX_VALUE);
      if (!feed.cursor.catchUp(history)) {
        LOG.log(
            System.Logger.Level.INFO,
            "nats: channel " + channel + " lost its history (new epoch); subscribers recover");
      }
    }
  }

  // ---- presence ----

  @Override
  public CompletableFuture<Void> join(String channel, ClientInfo client) {
    members.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(client);
    return call(
        () -> {
          presenceBucket.put(presenceKey(channel, client), new byte[0]);
          announce(channel, client, "J");
          return null;
        });
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
        () -> {
          presenceBucket.delete(presenceKey(channel, client));
          announce(channel, client, "L");
          return null;
        });
  }

  private void announce(String channel, ClientInfo client, String kind) {
    var headers = new Headers();
    headers.put(KIND, kind);
    headers.put(CLIENT, client.client());
    headers.put(USER, client.user());
    connection.publish(
        NatsMessage.builder().subject(fanOutSubject(channel)).headers(headers).build());
  }

  @Override
  public CompletableFuture<List<ClientInfo>> presence(String channel) {
    return call(() -> List.copyOf(readPresence(channel).values()));
  }

  private Map<String, ClientInfo> readPresence(String channel)
      throws IOException, JetStreamApiException, InterruptedException {
    var present = new HashMap<String, ClientInfo>();
    for (String key : presenceBucket.keys(token(channel) + ".>")) {
      String[] parts = key.split("\\.", -1);
      if (parts.length == 3 && parts[2].startsWith("u")) {
        present.put(parts[1], new ClientInfo(parts[1], channelOf(parts[2].substring(1))));
      }
    }
    return present;
  }

  /**
   * Every {@code presenceTtl / 3}: refreshes this node's clients in the bucket and brings each
   * channel's listener in line with it (the leave of a dead node's clients, a join missed in an
   * outage).
   */
  private void beat() {
    if (closed || connection.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    try {
      for (var entry : members.entrySet()) {
        for (ClientInfo client : entry.getValue()) {
          presenceBucket.put(presenceKey(entry.getKey(), client), new byte[0]);
        }
      }
      for (var entry : feeds.entrySet()) {
        String channel = entry.getKey();
        Feed feed = entry.getValue();
        long listed = System.nanoTime();
        Map<String, ClientInfo> present = readPresence(channel);
        synchronized (feed) {
          for (ClientInfo gone : List.copyOf(feed.present.values())) {
            // One told of after the listing began may have joined after it was read.
            if (!present.containsKey(gone.client())
                && feed.presentSince.get(gone.client()) - listed < 0) {
              told(channel, feed, gone, false);
            }
          }
          for (ClientInfo here : present.values()) {
            told(channel, feed, here, true);
          }
        }
      }
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "nats: heartbeat failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String describe() {
    return uri.toString();
  }

  @Override
  public void close() {
    closed = true;
    heartbeat.shutdownNow();
    publisher.shutdownNow();
    calls.shutdownNow();
    for (Feed feed : feeds.values()) {
      feed.subscribed.completeExceptionally(new IllegalStateException("broker closed"));
    }
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
