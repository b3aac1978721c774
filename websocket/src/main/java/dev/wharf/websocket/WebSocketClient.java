package dev.wharf.websocket;

import dev.wharf.core.Client;
import dev.wharf.core.Connection;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Protocol;
import dev.wharf.core.Timeouts;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Opens WebSocket connections to {@code ws://} (and, with a TLS {@link Connector}, {@code wss://})
 * URIs: connects, sends the opening handshake (RFC 6455 §4.1), checks the server's answer, and
 * hands the connection to the listener.
 *
 * <pre>{@code
 * var client = WebSocketClient.builder(group).build();
 * WebSocket ws = client.connect(URI.create("ws://127.0.0.1:8080/ws/echo"), listener).join();
 * ws.sendText("hello");
 * }</pre>
 *
 * <p>Thread-safe and reusable.
 */
public final class WebSocketClient {

  /**
   * Opens the transport under a WebSocket: plain TCP for {@code ws://}; a TLS connector adds {@code
   * wss://}. The connection must run {@code protocol}.
   */
  @FunctionalInterface
  public interface Connector {
    CompletableFuture<Connection> connect(String host, int port, boolean secure, Protocol protocol);
  }

  /** Configures a {@link WebSocketClient}. */
  public static final class Builder {
    private final EventLoopGroup group;
    private WebSocketConfig config = WebSocketConfig.DEFAULTS;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Connector connector;

    private Builder(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
    }

    public Builder config(WebSocketConfig value) {
      this.config = Objects.requireNonNull(value);
      return this;
    }

    /** How long the server may take to answer the handshake (connecting is not included). */
    public Builder handshakeTimeout(Duration value) {
      this.handshakeTimeout = Objects.requireNonNull(value);
      return this;
    }

    /** How connections are opened; by default plain TCP, which cannot do {@code wss://}. */
    public Builder connector(Connector value) {
      this.connector = Objects.requireNonNull(value);
      return this;
    }

    public WebSocketClient build() {
      return new WebSocketClient(this);
    }
  }

  public static Builder builder(EventLoopGroup group) {
    return new Builder(group);
  }

  private final WebSocketConfig config;
  private final Duration handshakeTimeout;
  private final Connector connector;

  private WebSocketClient(Builder builder) {
    this.config = builder.config;
    this.handshakeTimeout = builder.handshakeTimeout;
    this.connector = builder.connector != null ? builder.connector : plainTcp(builder.group);
  }

  /** The default connector: TCP through core's {@link Client}; refuses {@code wss://}. */
  private static Connector plainTcp(EventLoopGroup group) {
    // The WebSocket keeps its own idle deadline and pings; the transport's backs it up.
    Client tcp = Client.builder(group).timeouts(Timeouts.DEFAULTS).build();
    return (host, port, secure, protocol) -> {
      if (secure) {
        return CompletableFuture.failedFuture(
            new java.io.IOException(
                "wss:// needs a TLS connector (WebSocketClient.Builder.connector)"));
      }
      return tcp.connect(host, port, protocol);
    };
  }

  public CompletableFuture<WebSocket> connect(URI uri, WebSocketListener listener) {
    return connect(uri, Headers.EMPTY, listener);
  }

  /**
   * Connects and completes the handshake; the future completes once the connection is open (after
   * {@link WebSocketListener#onOpen}) or fails with the reason ({@link WebSocketHandshakeException}
   * when the server refused).
   *
   * @param headers extra request header fields (Origin, Authorization, cookies...)
   */
  public CompletableFuture<WebSocket> connect(
      URI uri, Headers headers, WebSocketListener listener) {
    HttpUrl url;
    ClientHandshake handshake;
    try {
      url = HttpUrl.of(uri);
      if (!url.isWebSocket()) {
        throw new IllegalArgumentException("not a ws:// or wss:// URI: " + uri);
      }
      handshake = new ClientHandshake(config, url, headers, listener, handshakeTimeout);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    connector
        .connect(url.host(), url.port(), url.isSecure(), handshake)
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                handshake.result().completeExceptionally(error);
              }
            });
    return handshake.result();
  }
}
