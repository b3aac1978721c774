package dev.wharf.channels.internal;

import dev.wharf.channels.Broker;
import dev.wharf.channels.ChannelsConfig;
import dev.wharf.channels.ClientAuthenticator;
import dev.wharf.channels.ClientInfo;
import dev.wharf.channels.History;
import dev.wharf.channels.Publication;
import dev.wharf.channels.SlowConsumerAction;
import dev.wharf.channels.StreamPosition;
import dev.wharf.channels.protocol.ChannelNames;
import dev.wharf.channels.protocol.ErrorCode;
import dev.wharf.channels.protocol.ProtocolException;
import dev.wharf.channels.protocol.Request;
import dev.wharf.channels.protocol.RequestDecoder;
import dev.wharf.channels.protocol.ServerMessages;
import dev.wharf.core.LazyLogger;
import dev.wharf.websocket.PreparedMessage;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketListener;
import dev.wharf.websocket.codec.CloseCodes;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's channels connection: decodes its requests, keeps its subscriptions and sends it
 * replies, deliveries and events.
 *
 * <p>Its state is confined to the connection's event loop: the listener callbacks run there, and
 * everything that comes from other threads (the broker's deliveries and presence events, completed
 * broker calls) enters through the <b>mailbox</b>, a queue drained on the loop ({@link
 * WebSocket#execute}) in the order it was filled. A channel's publications reach the mailbox in
 * offset order (the broker's promise), so they leave in that order too, whichever thread published
 * them. The mailbox's deliveries count against {@link ChannelsConfig#maxQueuedBytes()}, with what
 * the socket still holds; past it, {@link ChannelsConfig#slowConsumerAction()}.
 */
public final class ChannelSession implements WebSocketListener, Hub.Member, Runnable {
  private static final System.Logger LOG = LazyLogger.of(ChannelSession.class);

  /**
   * How long a subscribe waits for the broker to take the node's subscription to a channel (during
   * an outage: until the broker is back) before it gets {@code unavailable}: a broker restart
   * passes unseen, an outage does not leave the client waiting for ever. Commands (publish,
   * history, presence) do not wait: they fail when the broker's client does (at once on a refused
   * connection, else within its own timeouts).
   */
  public static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(20);

  /** Room above the queue limit for the lag notices and error replies sent on overflow. */
  public static final long NOTICE_ROOM = 64 * 1024;

  private final Hub hub;
  private final Broker broker;
  private final ChannelsConfig config;
  private final String clientId;
  private final ConnectGate gate; // the event loop only

  // Any thread.
  private final ConcurrentLinkedQueue<Object> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicLong mailboxBytes = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile boolean overflowed;
  private volatile WebSocket webSocket;

  // The event loop only.
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private boolean closed;

  /** This connection's last publish (loop only): the next one waits for it. */
  private CompletableFuture<Publication> lastPublish = CompletableFuture.completedFuture(null);

  /** A publication for the mailbox, with its delivery message, encoded once per node. */
  private record Incoming(Publication publication, PreparedMessage delivery) {}

  /** A presence event for the mailbox. */
  private record Event(String channel, PreparedMessage message) {}

  public ChannelSession(Hub hub, ChannelsConfig config, Admission admission) {
    this.hub = hub;
    this.broker = hub.broker();
    this.config = config;
    this.clientId = UUID.randomUUID().toString();
    this.gate = new ConnectGate(config, admission, clientId);
  }

  // ---- from any thread ----

  /** A publication of a channel this session is subscribed to; from the broker's thread. */
  @Override
  public void offerPublication(Publication publication, PreparedMessage delivery) {
    if (!admit(delivery)) {
      return;
    }
    mailbox.add(new Incoming(publication, delivery));
    scheduleDrain();
  }

  /** Someone else's join or leave on a channel this session is subscribed to; broker's thread. */
  @Override
  public void offerEvent(String channel, boolean join, ClientInfo who, PreparedMessage event) {
    if (who.client().equals(clientId) || !admit(event)) {
      return; // a client is not told of its own join and leave
    }
    mailbox.add(new Event(channel, event));
    scheduleDrain();
  }

  /**
   * The broker may have lost publications of the channel (see {@link Broker.Listener#lost}); from
   * the broker's thread. A live subscription is told to recover; one still reading its history gets
   * whatever the broker holds after its reconnect.
   */
  @Override
  public void offerLost(String channel) {
    onLoopLater(
        () -> {
          Subscription sub = subscriptions.get(channel);
          if (sub != null && sub.live) {
            lag(sub);
          }
        });
  }

  /** Counts a message into the mailbox, or notes the overflow and drops it. */
  private boolean admit(PreparedMessage message) {
    if (overflowed) {
      return false;
    }
    long bytes = message.length();
    if (mailboxBytes.addAndGet(bytes) > config.maxQueuedBytes()) {
      mailboxBytes.addAndGet(-bytes);
      overflowed = true;
      scheduleDrain();
      return false;
    }
    return true;
  }

  /** Runs {@code task} on the loop, after what the mailbox holds already. */
  private void onLoopLater(Runnable task) {
    mailbox.add(task);
    scheduleDrain();
  }

  private void scheduleDrain() {
    WebSocket ws = webSocket;
    if (ws != null && drainScheduled.compareAndSet(false, true)) {
      ws.execute(this); // run() drains: this::drain made an object a delivery
    }
  }

  // ---- on the event loop ----

  /**
   * Drains the mailbox; on the loop only, as the task {@link #scheduleDrain} hands it. The session
   * is its own task so that scheduling a drain allocates nothing (a field holding a {@code
   * this::drain} would cost every connection its 16 B).
   */
  @Override
  public void run() {
    drain();
  }

  private void drain() {
    drainScheduled.set(false);
    Object next;
    while ((next = mailbox.poll()) != null) {
      switch (next) {
        case Incoming incoming -> {
          mailboxBytes.addAndGet(-incoming.delivery().length());
          if (!closed) {
            incoming(incoming.publication(), incoming.delivery());
          }
        }
        case Event event -> {
          mailboxBytes.addAndGet(-event.message().length());
          Subscription sub = subscriptions.get(event.channel());
          if (!closed && sub != null && sub.live) {
            send(event.message());
          }
        }
        case Runnable task -> {
          if (!closed) {
            task.run();
          }
        }
        default -> throw new IllegalStateException("unexpected mailbox entry " + next);
      }
      if (overflowed && !closed) {
        slowConsumer();
      }
    }
    if (overflowed && !closed) {
      slowConsumer();
    }
  }

  private void incoming(Publication publication, PreparedMessage delivery) {
    Subscription sub = subscriptions.get(publication.channel());
    if (sub == null) {
      return; // unsubscribed since
    }
    if (!sub.live) {
      sub.buffered.add(publication);
      sub.bufferedBytes += delivery.length();
      if (sub.bufferedBytes > config.maxQueuedBytes()) {
        overflowed = true;
      }
      return;
    }
    deliver(sub, publication, delivery);
  }

  /**
   * Sends a publication to a live subscription if it is the next one: an offset already delivered
   * is skipped (it came both from the history and live), a later one means the broker lost some,
   * and the client is told to recover.
   */
  private void deliver(Subscription sub, Publication publication, PreparedMessage delivery) {
    if (!publication.epoch().equals(sub.epoch)) {
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> sub.channel + ": epoch changed from " + sub.epoch + " to " + publication.epoch());
      lag(sub);
      return;
    }
    if (publication.offset() <= sub.offset) {
      return;
    }
    if (publication.offset() != sub.offset + 1) {
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> sub.channel + ": gap after " + sub.offset + ", got " + publication.offset());
      lag(sub);
      return;
    }
    if (send(delivery)) {
      sub.offset = publication.offset();
    }
  }

  /**
   * Queues a message for the client unless that would pass the limit (then: the policy) or the
   * connection is closing. With {@code trySend}: a broadcast reaches every subscriber through here,
   * and a future per delivery, never looked at, was most of what a delivery allocated.
   */
  private boolean send(PreparedMessage message) {
    WebSocket ws = webSocket;
    if (ws.bufferedBytes() + message.length() > config.maxQueuedBytes()) {
      overflowed = true;
      return false;
    }
    return ws.trySend(message);
  }

  /**
   * Sends a reply or a notice without the policy's check: a reply is never dropped (a client that
   * sends requests without reading the replies meets the WebSocket's own limit, set {@link
   * #NOTICE_ROOM} above the queue limit, and is closed with 1008).
   */
  private void sendNotice(String text) {
    webSocket.sendText(text);
  }

  private void slowConsumer() {
    String reason = "slow consumer: more than " + config.maxQueuedBytes() + " bytes queued";
    if (config.slowConsumerAction() == SlowConsumerAction.CLOSE) {
      LOG.log(System.Logger.Level.DEBUG, () -> clientId + ": " + reason + "; closing with 1008");
      closed = true;
      webSocket.close(CloseCodes.POLICY_VIOLATION, reason);
      dropSubscriptions();
      return;
    }
    LOG.log(System.Logger.Level.DEBUG, () -> clientId + ": " + reason + "; lagging");
    for (Subscription sub : new ArrayList<>(subscriptions.values())) {
      if (sub.live) {
        sendNotice(ServerMessages.lagged(sub.channel, sub.position()));
      } else {
        sendNotice(
            ServerMessages.error(Optional.of(sub.requestId), ErrorCode.LIMIT_EXCEEDED, reason));
      }
    }
    dropSubscriptions();
    overflowed = false;
  }

  /** Tells the client to recover this channel, and drops the subscription. */
  private void lag(Subscription sub) {
    sendNotice(ServerMessages.lagged(sub.channel, sub.position()));
    drop(sub);
  }

  private void dropSubscriptions() {
    for (Subscription sub : new ArrayList<>(subscriptions.values())) {
      drop(sub);
    }
  }

  private void drop(Subscription sub) {
    subscriptions.remove(sub.channel, sub);

    if (sub.live) {
      broker.leave(sub.channel, gate.me()); // before the hub lets go, so the others hear it
    }
    hub.remove(sub.channel, this);
  }

  @Override
  public Optional<SocketAddress> remote() {
    WebSocket ws = webSocket;
    return ws == null ? Optional.empty() : Optional.ofNullable(ws.remoteAddress());
  }

  @Override
  public void onOpen(WebSocket ws) {
    this.webSocket = ws;
    gate.open(ws);
  }

  @Override
  public void onText(WebSocket ws, String text) {
    if (closed || gate.hasRefused()) {
      return;
    }
    Request request;
    try {
      if (utf8Length(text) > config.maxMessageBytes()) {
        // Read for its id only (it is at most twice the limit, the WebSocket's bound).
        throw new ProtocolException(
            ErrorCode.LIMIT_EXCEEDED,
            "message of more than " + config.maxMessageBytes() + " bytes",
            RequestDecoder.idOf(text).orElse(null));
      }
      request = RequestDecoder.decode(text);
      handle(request);
    } catch (ProtocolException e) {
      sendNotice(ServerMessages.error(e.rawId(), e.code(), e.getMessage()));
    }
  }

  @Override
  public void onBinary(WebSocket ws, java.nio.ByteBuffer data) {
    sendNotice(
        ServerMessages.error(
            Optional.empty(), ErrorCode.BAD_REQUEST, "requests are JSON in text messages"));
  }

  private long utf8Length(String text) {
    if ((long) text.length() * 3 <= config.maxMessageBytes()) {
      return text.length(); // cannot be over, whatever it holds
    }
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  private void handle(Request request) {
    if (request instanceof Request.Connect connect) {
      gate.connect(connect);
      return;
    }
    Optional<ClientAuthenticator.Grant> granted = gate.grantFor(request);
    if (granted.isEmpty()) {
      return; // refused: the gate answered and is closing the connection
    }
    ClientAuthenticator.Grant grant = granted.get();
    switch (request) {
      case Request.Connect r -> throw new IllegalStateException("handled above");
      case Request.Subscribe r -> subscribe(r, grant);
      case Request.Unsubscribe r -> unsubscribe(r);
      case Request.Publish r -> publish(r, grant);
      case Request.Presence r -> {
        checkChannel(r.id(), r.channel(), grant.maySubscribe());
        broker
            .presence(r.channel())
            .whenComplete(
                (clients, failed) ->
                    onLoopLater(
                        () ->
                            reply(r.id(), failed, () -> ServerMessages.presence(r.id(), clients))));
      }
      case Request.History r -> {
        checkChannel(r.id(), r.channel(), grant.maySubscribe());
        int limit = Math.min(r.limit().orElse(config.maxHistoryLimit()), config.maxHistoryLimit());
        broker
            .history(r.channel(), OptionalLong.empty(), limit)
            .whenComplete(
                (history, failed) ->
                    onLoopLater(
                        () ->
                            reply(r.id(), failed, () -> ServerMessages.history(r.id(), history))));
      }
      case Request.Ping r -> sendNotice(ServerMessages.ok(r.id()));
    }
  }

  private void checkChannel(
      String id, String channel, java.util.function.Predicate<String> allowed) {
    if (config.channelPatterns().stream().noneMatch(p -> ChannelNames.matches(p, channel))) {
      throw new ProtocolException(
          ErrorCode.UNKNOWN_CHANNEL, "no channel pattern of this server matches " + channel, id);
    }
    if (!allowed.test(channel)) {
      throw new ProtocolException(ErrorCode.UNAUTHORIZED, "not allowed on " + channel, id);
    }
  }

  private void reply(String id, Throwable failed, java.util.function.Supplier<String> ok) {
    if (failed != null) {
      sendNotice(ServerMessages.error(Optional.of(id), ErrorCode.UNAVAILABLE, unavailable(failed)));
    } else {
      sendNotice(ok.get());
    }
  }

  /**
   * The message of an {@code unavailable} reply, in words (a client library's exception class names
   * mean nothing to a client) and without the broker's address (not the client's business). During
   * an outage the broker's own log line has said it once; a call that fails while the broker is up
   * is worth a line of its own.
   */
  private String unavailable(Throwable failed) {
    Throwable cause = failed instanceof CompletionException c ? c.getCause() : failed;
    if (cause instanceof SubscribeWaitExpired) {
      return "the broker did not answer within "
          + SUBSCRIBE_WAIT.toSeconds()
          + " s; try again later";
    }
    if (!broker.connected()) {
      return "the broker is unreachable; try again later";
    }
    String reason = BrokerOutage.reason(cause);
    // Where the failure says nothing (no message anywhere in its chain: reason's "connection lost"
    // is then a guess), the log names its class, so that an operator (or a failed test) can tell
    // what it was; the client is not told.
    Throwable innermost = cause;
    while (innermost.getCause() != null && innermost.getCause() != innermost) {
      innermost = innermost.getCause();
    }
    String what = innermost.getMessage() == null ? " (" + innermost.getClass().getName() + ")" : "";
    LOG.log(System.Logger.Level.WARNING, "broker call failed: " + reason + what);
    return "the broker failed (" + reason + "); try again later";
  }

  /** This subscriber's wait for the broker ran out ({@link #SUBSCRIBE_WAIT}). */
  private static final class SubscribeWaitExpired extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SubscribeWaitExpired() {
      super("waited " + SUBSCRIBE_WAIT.toSeconds() + " s for the broker", null, false, false);
    }
  }

  /**
   * Tells {@link #SUBSCRIBE_WAIT} running out from a broker's own timeout (NATS's flush throws a
   * TimeoutException too): a copy's failures arrive wrapped in a CompletionException, so a bare
   * TimeoutException here can only be orTimeout's.
   */
  private static CompletableFuture<Void> waitedTooLong(Throwable failed) {
    return CompletableFuture.failedFuture(
        failed instanceof TimeoutException ? new SubscribeWaitExpired() : failed);
  }

  private void subscribe(Request.Subscribe r, ClientAuthenticator.Grant grant) {
    checkChannel(r.id(), r.channel(), grant.maySubscribe());
    if (subscriptions.containsKey(r.channel())) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "already subscribed to " + r.channel(), r.id());
    }
    if (subscriptions.size() >= config.maxChannelsPerConnection()) {
      throw new ProtocolException(
          ErrorCode.LIMIT_EXCEEDED,
          "at most " + config.maxChannelsPerConnection() + " channels per connection",
          r.id());
    }
    var sub = new Subscription(r.channel(), r.id(), r.since());
    subscriptions.put(r.channel(), sub);

    // Join the live stream first, then read the history: a publication is in the history before
    // the broker delivers it, so whatever is not in what we read arrives live (buffered until the
    // history is out). Offsets sort out what came both ways.
    OptionalLong after =
        r.since().isPresent() ? OptionalLong.of(r.since().get().offset()) : OptionalLong.empty();
    int limit = r.since().isPresent() ? Integer.MAX_VALUE : 0;
    // Copied: the timeout ends this subscriber's wait, not the node's subscription that others
    // share.
    hub.add(r.channel(), this, r.joinLeave())
        .copy()
        .orTimeout(SUBSCRIBE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(ChannelSession::waitedTooLong)
        .thenCompose(subscribed -> broker.history(r.channel(), after, limit))
        .whenComplete((history, failed) -> onLoopLater(() -> subscribed(sub, history, failed)));
  }

  /** The history is read: reply, send what was missed, then what arrived meanwhile. */
  private void subscribed(Subscription sub, History history, Throwable failed) {
    if (subscriptions.get(sub.channel) != sub) {
      return; // unsubscribed or dropped meanwhile, and told so then
    }
    if (failed != null) {
      subscriptions.remove(sub.channel);
      hub.remove(sub.channel, this);
      reply(sub.requestId, failed, () -> "");
      return;
    }
    StreamPosition top = history.top();
    sub.epoch = top.epoch();
    sub.live = true;
    Optional<Boolean> recovered = Optional.empty();
    Optional<String> whyNot = Optional.empty();
    var missed = new ArrayList<Publication>();
    if (sub.since.isPresent()) {
      StreamPosition since = sub.since.get();
      whyNot = whyNotRecovered(since, history);
      recovered = Optional.of(whyNot.isEmpty());
      if (whyNot.isEmpty()) {
        sub.offset = since.offset();
        missed.addAll(history.publications());
      } else {
        sub.offset = top.offset();
      }
    } else {
      sub.offset = top.offset();
    }
    sendNotice(ServerMessages.subscribed(sub.requestId, top, recovered, whyNot));
    for (Publication p : missed) {
      deliver(sub, p, PreparedMessage.text(ServerMessages.delivery(p)));
    }
    for (Publication p : sub.buffered) {
      if (subscriptions.get(sub.channel) == sub) {
        deliver(sub, p, PreparedMessage.text(ServerMessages.delivery(p)));
      }
    }
    sub.buffered.clear();
    sub.bufferedBytes = 0;
    if (subscriptions.get(sub.channel) == sub) {
      broker.join(sub.channel, gate.me());
    }
  }

  private static Optional<String> whyNotRecovered(StreamPosition since, History history) {
    StreamPosition top = history.top();
    if (!since.epoch().equals(top.epoch())) {
      return Optional.of(
          "the channel's history was lost: epoch " + since.epoch() + " is now " + top.epoch());
    }
    if (since.offset() > top.offset()) {
      return Optional.of(
          "offset " + since.offset() + " is ahead of the channel, at " + top.offset());
    }
    if (!history.covers(since)) {
      return Optional.of(
          "publications after offset "
              + since.offset()
              + " are no longer kept (the oldest kept is "
              + history.oldestKept()
              + ")");
    }
    return Optional.empty();
  }

  private void unsubscribe(Request.Unsubscribe r) {
    Subscription sub = subscriptions.get(r.channel());
    if (sub == null) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "not subscribed to " + r.channel(), r.id());
    }
    if (!sub.live) {
      sendNotice(
          ServerMessages.error(
              Optional.of(sub.requestId),
              ErrorCode.BAD_REQUEST,
              "unsubscribed before the subscription was complete"));
    }
    drop(sub);
    sendNotice(ServerMessages.ok(r.id()));
  }

  private void publish(Request.Publish r, ClientAuthenticator.Grant grant) {
    checkChannel(r.id(), r.channel(), grant.mayPublish());
    // One publish of this connection at a time, in the order they came: a broker may run calls
    // on several threads (Redis, NATS), and a client that publishes 1, 2, 3 expects those offsets
    // in that order. Another connection's publishes interleave freely.
    CompletableFuture<Publication> published =
        lastPublish
            .handle((previous, failure) -> null)
            .thenCompose(ignored -> broker.publish(r.channel(), r.data()));
    lastPublish = published;
    published.whenComplete(
        (publication, failed) ->
            onLoopLater(
                () ->
                    reply(
                        r.id(),
                        failed,
                        () -> ServerMessages.published(r.id(), publication.position()))));
  }

  @Override
  public void onClose(WebSocket ws, int code, String reason) {
    closed = true;
    gate.closed();
    dropSubscriptions();
    mailbox.clear();
  }
}
