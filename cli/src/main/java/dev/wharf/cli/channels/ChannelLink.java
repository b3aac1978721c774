package dev.wharf.cli.channels;

import dev.wharf.channels.protocol.ProtocolException;
import dev.wharf.channels.protocol.ServerMessage;
import dev.wharf.channels.protocol.ServerMessageDecoder;
import dev.wharf.channels.protocol.ServerMessages;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketListener;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One connection of a channels client: sends requests with fresh ids, matches the replies to them
 * and hands everything else (deliveries, presence, lag notices) to a consumer. The WebSocket
 * callbacks, the consumer and a request's reply stages run on the connection's event loop, in the
 * order the server sent; {@link #request} may be called from any thread.
 */
final class ChannelLink implements WebSocketListener {
  /** How the connection ended: the close code and reason. */
  record Ending(int code, String reason) {}

  private final AtomicLong ids = new AtomicLong();
  private final Map<String, CompletableFuture<ServerMessage.Reply>> pending =
      new ConcurrentHashMap<>();
  private final Consumer<ServerMessage> events;
  private final CompletableFuture<Ending> ended = new CompletableFuture<>();
  private volatile WebSocket webSocket;

  ChannelLink(Consumer<ServerMessage> events) {
    this.events = events;
  }

  /**
   * Sends a request; the future completes on the loop with the reply (stages attached before the
   * reply arrives run before the server's next message is read), or fails if the connection ends.
   *
   * @param fields names and values, the values as JSON texts
   */
  CompletableFuture<ServerMessage.Reply> request(String op, String... fields) {
    String id = Long.toString(ids.incrementAndGet());
    var reply = new CompletableFuture<ServerMessage.Reply>();
    pending.put(id, reply);
    if (ended.isDone()) {
      pending.remove(id);
      reply.completeExceptionally(new IOException("the connection is closed"));
      return reply;
    }
    webSocket.sendText(ServerMessages.request(op, id, fields));
    return reply;
  }

  CompletableFuture<Ending> ended() {
    return ended;
  }

  WebSocket webSocket() {
    return webSocket;
  }

  @Override
  public void onOpen(WebSocket ws) {
    this.webSocket = ws;
  }

  @Override
  public void onText(WebSocket ws, String text) {
    ServerMessage message;
    try {
      message = ServerMessageDecoder.decode(text);
    } catch (ProtocolException e) {
      events.accept(new ServerMessage.Unknown(text));
      return;
    }
    if (message instanceof ServerMessage.Reply reply) {
      var waiting = pending.remove(reply.id());
      if (waiting != null) {
        waiting.complete(reply);
      }
      return;
    }
    events.accept(message);
  }

  @Override
  public void onClose(WebSocket ws, int code, String reason) {
    ended.complete(new Ending(code, reason));
    var failure = new IOException("the connection closed (" + code + describe(reason) + ")");
    pending.values().forEach(reply -> reply.completeExceptionally(failure));
    pending.clear();
  }

  static String describe(String reason) {
    return reason == null || reason.isEmpty() ? "" : " " + reason;
  }
}
