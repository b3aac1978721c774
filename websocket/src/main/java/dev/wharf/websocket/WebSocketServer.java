package dev.wharf.websocket;

import dev.wharf.http.fields.FieldValues;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.http.server.ServerResponse;
import dev.wharf.websocket.codec.Handshake;
import dev.wharf.websocket.codec.PerMessageDeflate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server side of the opening handshake (RFC 6455 §4.2), as an HTTP {@link Handler}: put it on a
 * route and requests there become WebSocket connections.
 *
 * <pre>{@code
 * var config = WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build();
 * HttpServer.builder(group)
 *     .get("/ws/echo", WebSocketServer.handler(config, () -> new WebSocketListener() {
 *       public void onText(WebSocket ws, String text) { ws.sendText(text); }
 *     }))
 *     .bind(address);
 * }</pre>
 *
 * <p>A request that is not a valid version-13 upgrade gets 400 (426 with {@code
 * Sec-WebSocket-Version: 13} for another version or a plain GET), a refused Origin 403. The handler
 * runs on the event loop. Stateless and thread-safe.
 */
public final class WebSocketServer {
  private WebSocketServer() {}

  /** A handler that upgrades every valid request, with a new listener from {@code listeners}. */
  public static Handler handler(
      WebSocketConfig config, Supplier<? extends WebSocketListener> listeners) {
    Objects.requireNonNull(listeners, "listeners");
    return handlerPerRequest(config, request -> Optional.of(listeners.get()));
  }

  /**
   * A handler that lets the request choose the listener (by path, query or headers), or refuse the
   * upgrade with 403 by returning empty.
   */
  public static Handler handlerPerRequest(
      WebSocketConfig config,
      Function<? super ServerRequest, Optional<? extends WebSocketListener>> listeners) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listeners, "listeners");
    return (request, response) -> upgrade(config, listeners, request, response);
  }

  private static void upgrade(
      WebSocketConfig config,
      Function<? super ServerRequest, Optional<? extends WebSocketListener>> listeners,
      ServerRequest request,
      ServerResponse response) {
    if (!request.head().isUpgradeRequest() || !request.headers().hasToken("Upgrade", "websocket")) {
      // RFC 6455 §4.2.2: say which protocol this resource speaks.
      response.header("Upgrade", "websocket").header("Sec-WebSocket-Version", Handshake.VERSION);
      response.sendError(426, "this resource speaks WebSocket; send an upgrade request");
      return;
    }
    String problem = checkRequest(request);
    if (problem != null) {
      response.sendError(400, problem);
      return;
    }
    List<String> versions = request.headers().all("Sec-WebSocket-Version");
    if (versions.size() != 1 || !versions.get(0).trim().equals(Handshake.VERSION)) {
      // RFC 6455 §4.4: answer an unsupported version with the versions we speak.
      response.header("Sec-WebSocket-Version", Handshake.VERSION);
      response.sendError(
          426, "unsupported WebSocket version " + versions + "; this server speaks 13");
      return;
    }
    Optional<String> origin = request.header("Origin");
    if (origin.isPresent() && !config.originCheck().test(origin.get())) {
      response.sendError(403, "origin not allowed: " + origin.get());
      return;
    }
    Optional<? extends WebSocketListener> listener = listeners.apply(request);
    if (listener.isEmpty()) {
      response.sendError(403, "WebSocket refused");
      return;
    }
    String key = request.header("Sec-WebSocket-Key").orElseThrow().trim();
    Optional<String> subprotocol = chooseSubprotocol(config, request);
    Optional<PerMessageDeflate.Agreement> deflate =
        config
            .deflate()
            .flatMap(
                options ->
                    PerMessageDeflate.accept(
                        request.headers().all("Sec-WebSocket-Extensions"),
                        options.serverNoContextTakeover(),
                        options.clientNoContextTakeover()));
    response
        .header("Upgrade", "websocket")
        .header("Connection", "Upgrade")
        .header("Sec-WebSocket-Accept", Handshake.accept(key));
    subprotocol.ifPresent(p -> response.header("Sec-WebSocket-Protocol", p));
    deflate.ifPresent(d -> response.header("Sec-WebSocket-Extensions", d.header()));
    response.upgrade(new WebSocketSession(config, true, listener.get(), subprotocol, deflate));
  }

  /** What is wrong with an upgrade request (RFC 6455 §4.2.1), or null. */
  private static String checkRequest(ServerRequest request) {
    if (!request.method().equals("GET")) {
      return "a WebSocket handshake must be a GET";
    }
    if (!request.version().equals("HTTP/1.1")) {
      return "a WebSocket handshake needs HTTP/1.1";
    }
    if (request.header("Host").isEmpty()) {
      return "missing Host";
    }
    List<String> keys = request.headers().all("Sec-WebSocket-Key");
    if (keys.size() != 1 || !Handshake.isValidKey(keys.get(0).trim())) {
      return "Sec-WebSocket-Key must be one base64-encoded 16-byte value";
    }
    return null;
  }

  /** The first of our subprotocols the client offers (RFC 6455 §4.2.2 item 5.4). */
  private static Optional<String> chooseSubprotocol(WebSocketConfig config, ServerRequest request) {
    List<String> offered = FieldValues.list(request.headers().all("Sec-WebSocket-Protocol"));
    if (offered.isEmpty()) {
      return Optional.empty();
    }
    for (String ours : config.subprotocols()) {
      for (String theirs : offered) {
        if (theirs.equals(ours)) {
          return Optional.of(ours);
        }
      }
    }
    return Optional.empty();
  }
}
