package dev.wharf.websocket;

import dev.wharf.core.Client;
import dev.wharf.core.ConnectListener;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.NameResolver;
import dev.wharf.core.Protocol;
import dev.wharf.core.Timeouts;
import dev.wharf.core.tls.LazyTlsClient;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;

/**
 * Opens WebSocket connections to {@code ws://} and {@code wss://} URIs: connects (over TLS for
 * {@code wss://}, checking the server's certificate against the system's CAs unless {@link
 * Builder#tls} says otherwise), sends the opening handshake (RFC 6455 §4.1), checks the server's
 * answer, and hands the connection to the listener.
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

  /** Configures a {@link WebSocketClient}. */
  public static final class Builder {
    private final EventLoopGroup group;
    private WebSocketConfig config = WebSocketConfig.DEFAULTS;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Timeouts.DEFAULTS.connect();
    private TlsClientConfig tls;
    private NameResolver resolver = NameResolver.SYSTEM;
    private ConnectListener connectListener = ConnectListener.NONE;
    private UnaryOperator<Protocol> handshakeWrapper = UnaryOperator.identity();

    private Builder(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
    }

    public Builder config(WebSocketConfig value) {
      this.config = Objects.requireNonNull(value);
      return this;
    }

    /** How long connecting may take, per address tried (10 s by default, as HttpClient's). */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = Objects.requireNonNull(value);
      return this;
    }

    /** How long the server may take to answer the handshake (connecting is not included). */
    public Builder handshakeTimeout(Duration value) {
      this.handshakeTimeout = Objects.requireNonNull(value);
      return this;
    }

    /**
     * How {@code wss://} connections speak TLS: which CAs to trust, pins, a client certificate. By
     * default the system's CAs, checking the host name, offering {@code http/1.1} by ALPN (the
     * handshake is HTTP/1.1, as browsers offer it).
     */
    public Builder tls(TlsClientConfig value) {
      this.tls = Objects.requireNonNull(value);
      return this;
    }

    /** How host names become addresses; the system's resolver by default. */
    public Builder resolver(NameResolver value) {
      this.resolver = Objects.requireNonNull(value);
      return this;
    }

    /** Hears how each connect goes: the name resolved, the addresses tried. */
    public Builder connectListener(ConnectListener value) {
      this.connectListener = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Wraps the opening handshake's protocol, above TLS, so that a tool sees the upgrade's bytes as
     * they go ({@code wharf ws -v}). The wrapper must pass every event on; the handshake switches
     * the connection to the session past it, so it is out of the way afterwards.
     */
    public Builder handshakeWrapper(UnaryOperator<Protocol> value) {
      this.handshakeWrapper = Objects.requireNonNull(value);
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
  private final Client tcp;
  private final LazyTlsClient tlsClient;
  private final ConnectListener connectListener;
  private final UnaryOperator<Protocol> handshakeWrapper;

  private WebSocketClient(Builder builder) {
    this.config = builder.config;
    this.handshakeTimeout = builder.handshakeTimeout;
    this.connectListener = builder.connectListener;
    this.handshakeWrapper = builder.handshakeWrapper;
    // The WebSocket keeps its own idle deadline and pings; the transport's timeouts back it up.
    this.tcp = transport(builder).build();
    this.tlsClient = new LazyTlsClient(transport(builder), builder.tls, List.of("http/1.1"));
  }

  private static Client.Builder transport(Builder builder) {
    return Client.builder(builder.group)
        .timeouts(Timeouts.DEFAULTS.withConnect(builder.connectTimeout))
        .resolver(builder.resolver);
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
    CompletableFuture<Client> transport =
        url.isSecure() ? tlsClient.get() : CompletableFuture.completedFuture(tcp);
    // The host as given is the name TLS asks for (SNI) and checks the certificate against.
    transport
        .thenCompose(
            client ->
                client.connect(
                    url.host(), url.port(), handshakeWrapper.apply(handshake), connectListener))
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                handshake
                    .result()
                    .completeExceptionally(
                        error instanceof CompletionException && error.getCause() != null
                            ? error.getCause()
                            : error);
              }
            });
    return handshake.result();
  }
}
