package dev.wharf.cli.admin;

import dev.wharf.channels.ChannelActivity;
import dev.wharf.channels.Channels;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.EventLoop;
import dev.wharf.core.ListenerInfo;
import dev.wharf.core.SocketRegistry;
import dev.wharf.websocket.WebSocket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's picture of the served sockets, kept up to date on the admin loop: the registry's
 * open and close events arrive as tasks (so a row appears and vanishes as the connection does), and
 * once a second a snapshot of every served loop refreshes the counters, adds a chart sample and
 * goes to every open dashboard.
 *
 * <p>Confined to the admin loop, but for the observer callbacks (any served loop: they only hand
 * the event over) and the volatile byte totals that /metrics reads. Byte totals count each
 * connection's growth between snapshots and, at its close, the rest: they never go down.
 */
final class LiveTable implements SocketRegistry.Observer {
  /** A dashboard this far behind (bytes it has not taken) is closed rather than buffered for. */
  static final long MAX_BEHIND = 4L << 20;

  /** How often the admin loop takes the served loops' events. */
  static final Duration DRAIN_EVERY = Duration.ofMillis(50);

  private final EventLoop loop;
  private final SocketRegistry registry;
  private final RequestCounter requests;
  private final Optional<Channels> channels;

  // Any thread -> the admin loop, in each producer's order.
  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();

  private final Map<Long, ConnectionInfo> rows = new TreeMap<>();
  private final Set<ListenerInfo> listeners = new LinkedHashSet<>();
  private final Set<WebSocket> dashboards = new LinkedHashSet<>();
  private final Timeline timeline = new Timeline();
  private final Map<String, Long> lastPublications = new HashMap<>();
  private List<String> channelsJson = List.of();
  private Map<SocketAddress, List<String>> subscriptions = Map.of();

  // Written on the admin loop only; read by /metrics on any thread.
  private volatile long bytesIn;
  private volatile long bytesOut;

  private long lastTickNanos;
  private long lastRequests;
  private long lastBytesIn;
  private long lastBytesOut;
  private boolean ticking;

  LiveTable(
      EventLoop loop,
      SocketRegistry registry,
      RequestCounter requests,
      Optional<Channels> channels) {
    this.loop = loop;
    this.registry = registry;
    this.requests = requests;
    this.channels = channels;
  }

  /** Starts listening to the registry and ticking; call once, before the served server binds. */
  void start() {
    registry.observe(this);
    loop.execute(
        () -> {
          listeners.addAll(registry.listeners());
          lastTickNanos = System.nanoTime();
          loop.schedule(Duration.ofSeconds(1), this::tick);
          loop.schedule(DRAIN_EVERY, this::drain);
        });
  }

  long bytesIn() {
    return bytesIn;
  }

  long bytesOut() {
    return bytesOut;
  }

  // ---- events from the served loops: handed to the admin loop ----

  @Override
  public void listening(ListenerInfo listener) {
    onAdminLoop(
        () -> {
          listeners.add(listener);
          broadcast(listenersMessage());
        });
  }

  @Override
  public void stoppedListening(ListenerInfo listener) {
    onAdminLoop(
        () -> {
          listeners.remove(listener);
          broadcast(listenersMessage());
        });
  }

  @Override
  public void opened(ConnectionInfo connection) {
    onAdminLoop(
        () -> {
          if (rows.putIfAbsent(connection.id(), connection) == null) {
            bytesIn += connection.bytesIn();
            bytesOut += connection.bytesOut();
            if (!dashboards.isEmpty()) {
              var out = new StringBuilder("{\"type\":\"open\",\"row\":");
              AdminJson.connection(out, connection, System.currentTimeMillis(), List.of());
              broadcast(out.append('}').toString());
            }
          }
        });
  }

  @Override
  public void closed(ConnectionInfo connection) {
    onAdminLoop(
        () -> {
          ConnectionInfo before = rows.remove(connection.id());
          bytesIn += connection.bytesIn() - (before == null ? 0 : before.bytesIn());
          bytesOut += connection.bytesOut() - (before == null ? 0 : before.bytesOut());
          if (!dashboards.isEmpty()) {
            broadcast("{\"type\":\"close\",\"id\":" + connection.id() + "}");
          }
        });
  }

  /**
   * Hands an event to the admin loop: appended to {@link #inbox}, which the admin loop drains every
   * {@link #DRAIN_EVERY} on a timer of its own. The served loops never wake the admin loop (a
   * wakeup per connection cost a context switch per connection on a busy core); a row appears or
   * vanishes at most that much later.
   */
  private void onAdminLoop(Runnable task) {
    inbox.add(task);
  }

  private void drain() {
    Runnable task;
    while ((task = inbox.poll()) != null) {
      task.run();
    }
    try {
      loop.schedule(DRAIN_EVERY, this::drain);
    } catch (RejectedExecutionException stopped) {
      // The admin listener is shutting down with the server.
    }
  }

  // ---- once a second ----

  private void tick() {
    if (ticking) {
      return; // the last snapshot has not come back: a served loop is busy; skip this second
    }
    ticking = true;
    registry
        .connectionsAsync()
        .orTimeout(5, TimeUnit.SECONDS)
        .whenComplete((snapshot, failed) -> onAdminLoop(() -> refresh(snapshot)));
    loop.schedule(Duration.ofSeconds(1), this::tick);
  }

  /** Takes a snapshot's counters (of connections still open here), then samples and sends. */
  private void refresh(List<ConnectionInfo> snapshot) {
    ticking = false;
    if (snapshot != null) {
      for (ConnectionInfo now : snapshot) {
        // A connection not in rows has closed since (its close event came first): skip it.
        ConnectionInfo before = rows.get(now.id());
        if (before != null) {
          bytesIn += Math.max(0, now.bytesIn() - before.bytesIn());
          bytesOut += Math.max(0, now.bytesOut() - before.bytesOut());
          rows.put(now.id(), now);
        }
      }
    }
    long nanos = System.nanoTime();
    double seconds = Math.max(1e-3, (nanos - lastTickNanos) / 1e9);
    lastTickNanos = nanos;
    long requestsNow = requests.total();
    long in = bytesIn;
    long out = bytesOut;
    var sample =
        new Timeline.Sample(
            System.currentTimeMillis() / 1000,
            rows.size(),
            (requestsNow - lastRequests) / seconds,
            (in - lastBytesIn) / seconds,
            (out - lastBytesOut) / seconds);
    lastRequests = requestsNow;
    lastBytesIn = in;
    lastBytesOut = out;
    timeline.add(sample);
    channelsJson = channelRows(seconds);
    subscriptions = channels.map(Channels::subscriptionsByClient).orElse(Map.of());
    if (!dashboards.isEmpty()) {
      var message = new StringBuilder("{\"type\":\"tick\",\"sample\":");
      AdminJson.sample(message, sample);
      message.append(",\"rows\":");
      rowsJson(message);
      message.append(",\"channels\":");
      channelsJson(message);
      broadcast(message.append('}').toString());
    }
  }

  private List<String> channelRows(double seconds) {
    if (channels.isEmpty()) {
      return List.of();
    }
    var json = new ArrayList<String>();
    var seen = new HashMap<String, Long>();
    for (ChannelActivity activity : channels.get().activity()) {
      long before = lastPublications.getOrDefault(activity.channel(), activity.publications());
      double rate = Math.max(0, activity.publications() - before) / seconds;
      seen.put(activity.channel(), activity.publications());
      var out = new StringBuilder();
      AdminJson.channel(out, activity, rate);
      json.add(out.toString());
    }
    lastPublications.clear();
    lastPublications.putAll(seen);
    return json;
  }

  // ---- dashboards ----

  /** A dashboard connected: it gets everything known so far, then every change. */
  void join(WebSocket dashboard) {
    dashboards.add(dashboard);
    var out = new StringBuilder("{\"type\":\"hello\",\"history\":");
    AdminJson.array(out, timeline.samples(), AdminJson::sample);
    out.append(",\"rows\":");
    rowsJson(out);
    out.append(",\"listeners\":");
    AdminJson.array(out, listeners, AdminJson::listener);
    out.append(",\"channels\":");
    channelsJson(out);
    dashboard.sendText(out.append('}'));
  }

  void leave(WebSocket dashboard) {
    dashboards.remove(dashboard);
  }

  private void rowsJson(StringBuilder out) {
    long now = System.currentTimeMillis();
    AdminJson.array(
        out,
        rows.values(),
        (o, row) ->
            AdminJson.connection(o, row, now, subscriptions.getOrDefault(row.remote(), List.of())));
  }

  private void channelsJson(StringBuilder out) {
    out.append("{\"enabled\":").append(channels.isPresent());
    if (channels.isPresent()) {
      AdminJson.field(out, "broker", channels.get().broker().describe());
      out.append(",\"connected\":").append(channels.get().broker().connected());
    }
    out.append(",\"list\":[").append(String.join(",", channelsJson)).append("]}");
  }

  private String listenersMessage() {
    var out = new StringBuilder("{\"type\":\"listeners\",\"listeners\":");
    AdminJson.array(out, listeners, AdminJson::listener);
    return out.append('}').toString();
  }

  private void broadcast(String message) {
    for (WebSocket dashboard : List.copyOf(dashboards)) {
      if (dashboard.bufferedBytes() > MAX_BEHIND) {
        dashboards.remove(dashboard);
        dashboard.close(1008, "dashboard too far behind");
      } else {
        dashboard.sendText(message);
      }
    }
  }
}
