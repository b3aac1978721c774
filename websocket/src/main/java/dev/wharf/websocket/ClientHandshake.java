package dev.wharf.websocket;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Durations;
import dev.wharf.core.Protocol;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.codec.Http1RequestEncoder;
import dev.wharf.http.codec.Http1ResponseDecoder;
import dev.wharf.http.codec.MessageParseException;
import dev.wharf.http.fields.FieldValues;
import dev.wharf.websocket.codec.Handshake;
import dev.wharf.websocket.codec.PerMessageDeflate;
import dev.wharf.websocket.codec.WebSocketException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of the opening handshake (RFC 6455 §4.1) on a fresh connection: sends the upgrade
 * request, reads the answer with the HTTP/1.1 response decoder, checks it, and switches the
 * connection to a {@link WebSocketSession} with the bytes that followed the 101.
 *
 * <p>Runs on the connection's loop.
 */
final class ClientHandshake implements Protocol, Http1ResponseDecoder.Sink {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final WebSocketConfig config;
  private final byte[] request;
  private final WebSocketListener listener;
  private final Duration timeout;
  private final String key = Handshake.newKey(RANDOM);
  private final Http1ResponseDecoder decoder = new Http1ResponseDecoder(HttpLimits.DEFAULTS);
  private final CompletableFuture<WebSocket> result = new CompletableFuture<>();
  private Connection connection;
  private Cancellable timer;
  private WebSocketSession session;
  private WebSocketHandshakeException refused;

  /**
   * Makes the upgrade request at once, on the caller's thread.
   *
   * @throws IllegalArgumentException when a header field could not be sent as it is
   */
  ClientHandshake(
      WebSocketConfig config,
      HttpUrl url,
      Headers headers,
      WebSocketListener listener,
      Duration timeout) {
    this.config = config;
    this.listener = listener;
    this.timeout = timeout;
    this.request = request(url, headers);
  }

  CompletableFuture<WebSocket> result() {
    return result;
  }

  @Override
  public String name() {
    return "websocket handshake";
  }

  @Override
  public void opened(Connection c) {
    this.connection = c;
    decoder.expect("GET");
    c.write(request);
    if (!timeout.isZero()) {
      timer =
          c.schedule(
              timeout,
              () ->
                  fail(
                      new dev.wharf.core.ConnectionTimeoutException(
                          "no handshake answer within " + Durations.format(timeout))));
    }
  }

  /** The upgrade request (RFC 6455 §4.1): GET with Host, the key, the version and the offers. */
  private byte[] request(HttpUrl url, Headers headers) {
    var fields =
        Headers.builder()
            .add("Host", url.hostHeader())
            .add("Upgrade", "websocket")
            .add("Connection", "Upgrade")
            .add("Sec-WebSocket-Key", key)
            .add("Sec-WebSocket-Version", Handshake.VERSION);
    if (!config.subprotocols().isEmpty()) {
      fields.add("Sec-WebSocket-Protocol", String.join(", ", config.subprotocols()));
    }
    config
        .deflate()
        .ifPresent(
            d ->
                fields.add(
                    "Sec-WebSocket-Extensions",
                    PerMessageDeflate.offer(
                        d.clientNoContextTakeover(), d.serverNoContextTakeover(), 0)));
    for (int i = 0; i < headers.size(); i++) {
      fields.add(headers.name(i), headers.value(i));
    }
    return Http1RequestEncoder.encodeHead("GET", url.target(), fields.build());
  }

  @Override
  public void received(Connection c, ByteBuffer data) {
    try {
      decoder.decode(data, this);
    } catch (MessageParseException e) {
      fail(new WebSocketHandshakeException(0, "bad response: " + e.getMessage()));
      return;
    }
    if (refused != null) {
      fail(refused);
      return;
    }
    if (session != null && decoder.isUpgraded() && !result.isDone()) {
      cancelTimer();
      // The frames that came with the 101 are the session's.
      c.switchProtocol(session, data);
      result.complete(session);
    }
  }

  @Override
  public void head(ResponseHead head) {
    if (head.status() != 101) {
      refused =
          new WebSocketHandshakeException(
              head.status(), "server answered " + head.status() + " " + head.reason());
      return;
    }
    try {
      session = accept(head.headers());
    } catch (WebSocketException e) {
      refused = new WebSocketHandshakeException(101, e.getMessage());
    }
  }

  /** Checks a 101 answer and makes the session it agrees to. */
  private WebSocketSession accept(Headers h) {
    // RFC 6455 §4.1: the client must fail the connection unless each of these holds.
    if (!h.hasToken("Upgrade", "websocket")) {
      throw WebSocketException.protocolError("101 without Upgrade: websocket");
    }
    if (!h.hasToken("Connection", "upgrade")) {
      throw WebSocketException.protocolError("101 without Connection: Upgrade");
    }
    String accept = h.first("Sec-WebSocket-Accept").orElse("").trim();
    if (!accept.equals(Handshake.accept(key))) {
      throw WebSocketException.protocolError("wrong Sec-WebSocket-Accept: " + accept);
    }
    List<String> protocols = FieldValues.list(h.all("Sec-WebSocket-Protocol"));
    Optional<String> subprotocol = Optional.empty();
    if (!protocols.isEmpty()) {
      if (protocols.size() > 1 || !config.subprotocols().contains(protocols.get(0))) {
        throw WebSocketException.protocolError(
            "server chose a subprotocol not offered: " + protocols);
      }
      subprotocol = Optional.of(protocols.get(0));
    }
    List<String> extensions = h.all("Sec-WebSocket-Extensions");
    Optional<PerMessageDeflate.Agreement> deflate = Optional.empty();
    if (!extensions.isEmpty()) {
      if (config.deflate().isEmpty()) {
        throw WebSocketException.protocolError(
            "server accepted extensions not offered: " + extensions);
      }
      deflate =
          PerMessageDeflate.checkResponse(
              extensions, config.deflate().get().clientNoContextTakeover());
    }
    return new WebSocketSession(config, false, listener, subprotocol, deflate);
  }

  @Override
  public void informational(ResponseHead head) {}

  @Override
  public void body(ByteBuffer chunk) {
    chunk.position(chunk.limit());
  }

  @Override
  public void end(Headers trailers) {}

  @Override
  public void inputClosed(Connection c) {
    // The server's FIN before its 101: no answer is coming.
    fail(new IOException("server closed the connection during the handshake"));
  }

  @Override
  public void closed(Connection c, CloseReason reason) {
    cancelTimer();
    if (!result.isDone()) {
      result.completeExceptionally(
          reason
              .error()
              .orElseGet(() -> new IOException("connection closed: " + reason.message())));
    }
  }

  private void fail(Throwable error) {
    cancelTimer();
    result.completeExceptionally(error);
    connection.close(CloseReason.error(error));
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
