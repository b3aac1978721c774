package dev.wharf.channels;

import dev.wharf.channels.protocol.ServerMessage;
import dev.wharf.channels.protocol.ServerMessageDecoder;
import dev.wharf.channels.protocol.ServerMessages;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketClient;
import dev.wharf.websocket.WebSocketListener;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A channels client over a real WebSocket for multi-node tests: sends requests and waits for their
 * replies, and records, in arrival order, every delivery, subscribe reply, lag notice and presence
 * event as a line of its {@link #trace()}: {@code D epoch offset data}, {@code S epoch offset
 * recovered}, {@code E code message} (an error reply), {@code L epoch offset}, {@code J client} and
 * {@code X client} (a leave).
 *
 * <p>Thread-safe: records on the client's event loop, read from the test's thread.
 */
final class Peer implements WebSocketListener, AutoCloseable {
  private final ConcurrentHashMap<String, CompletableFuture<ServerMessage.Reply>> replies =
      new ConcurrentHashMap<>();
  private final List<String> trace = new CopyOnWriteArrayList<>();
  private final List<ServerMessage.Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile ServerMessage.Lagged lagged;
  private volatile StreamPosition position; // of the last delivery, or where a fresh start began
  private volatile WebSocket webSocket;

  static Peer connect(WebSocketClient client, URI uri) throws Exception {
    var peer = new Peer();
    peer.webSocket = client.connect(uri, peer).get(10, TimeUnit.SECONDS);
    return peer;
  }

  @Override
  public void onText(WebSocket ws, String text) {
    switch (ServerMessageDecoder.decode(text)) {
      case ServerMessage.Delivery d -> {
        deliveries.add(d);
        position = d.position();
        trace.add("D " + d.position().epoch() + " " + d.position().offset() + " " + d.data());
      }
      case ServerMessage.Reply r -> {
        r.error().ifPresent(e -> trace.add("E " + e.code() + " " + e.message()));
        if (r.recovered().isPresent()) {
          trace.add(subscribed(r));
          if (!r.recovered().get()) {
            position = r.position().orElseThrow(); // starts afresh from here
          }
        }
        var waiting = replies.remove(r.id());
        if (waiting != null) {
          waiting.complete(r);
        }
      }
      case ServerMessage.Lagged l -> {
        lagged = l;
        trace.add("L " + l.lastDelivered().epoch() + " " + l.lastDelivered().offset());
      }
      case ServerMessage.PresenceEvent p -> trace.add((p.join() ? "J " : "X ") + p.client());
      default -> {}
    }
  }

  private static String subscribed(ServerMessage.Reply r) {
    var position = r.position().orElseThrow();
    return "S " + position.epoch() + " " + position.offset() + " " + r.recovered().orElse(null);
  }

  @Override
  public void onClose(WebSocket ws, int code, String reason) {
    closed.complete(null);
  }

  /** Sends a request and returns its reply (which may be an error). */
  ServerMessage.Reply request(String op, String... namesAndRawValues) throws Exception {
    return send(op, namesAndRawValues).get(15, TimeUnit.SECONDS);
  }

  /** Sends a request without waiting: its reply, when it comes. */
  CompletableFuture<ServerMessage.Reply> send(String op, String... namesAndRawValues) {
    String id = Integer.toString(ids.incrementAndGet());
    var reply = new CompletableFuture<ServerMessage.Reply>();
    replies.put(id, reply);
    webSocket.sendText(ServerMessages.request(op, id, namesAndRawValues));
    return reply;
  }

  /** Subscribes (recording the reply in the trace); returns the reply. */
  ServerMessage.Reply subscribe(String channel, Optional<StreamPosition> since) throws Exception {
    ServerMessage.Reply reply =
        since.isPresent()
            ? request(
                "subscribe", "channel", quoted(channel), "since", ServerMessages.since(since.get()))
            : request("subscribe", "channel", quoted(channel));
    if (reply.error().isEmpty() && since.isEmpty()) {
      trace.add(subscribed(reply));
      if (position == null) {
        position = reply.position().orElseThrow();
      }
    }
    return reply;
  }

  static String quoted(String text) {
    return "\"" + text + "\"";
  }

  /**
   * Where this client stands: the position of its last delivery, or of the subscribe reply that
   * started it afresh (the first, or one that could not recover); {@code orElse} before either.
   */
  StreamPosition lastPosition(StreamPosition orElse) {
    StreamPosition p = position;
    return p == null ? orElse : p;
  }

  /** The lag notice last received, if any (and forgets it). */
  Optional<ServerMessage.Lagged> takeLagged() {
    var l = lagged;
    lagged = null;
    return Optional.ofNullable(l);
  }

  List<ServerMessage.Delivery> deliveries() {
    return deliveries;
  }

  List<String> trace() {
    return trace;
  }

  void abort() {
    webSocket.abort();
  }

  @Override
  public void close() {
    webSocket.abort();
  }
}
