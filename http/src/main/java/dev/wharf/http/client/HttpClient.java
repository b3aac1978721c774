package dev.wharf.http.client;

import dev.wharf.core.Client;
import dev.wharf.core.ConnectListener;
import dev.wharf.core.Connection;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Protocol;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Timeouts;
import dev.wharf.core.tls.LazyTlsClient;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.h2.client.Exchange;
import dev.wharf.http.h2.client.Http2ClientConnection;
import dev.wharf.http.h2.client.UnprocessedRequestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * An HTTP client over the engine, HTTP/1.1 and HTTP/2: a pool of kept-alive HTTP/1.1 connections
 * per origin, one HTTP/2 connection per origin shared by every exchange to it, redirects up to a
 * limit, connect and response timeouts.
 *
 * <pre>{@code
 * try (var client = HttpClient.builder().build()) {
 *   ClientResponse response =
 *       client.send(ClientRequest.get(URI.create("http://localhost:8000/"))).join();
 * }
 * }</pre>
 *
 * <p>{@code https://} URLs are fetched over TLS, checking the server's certificate against the
 * system's CAs unless {@link Builder#tls} says otherwise, and offering {@code h2} and {@code
 * http/1.1} by ALPN ({@link Version}). Requests to an origin that arrive while its first connection
 * is being made wait for it, so that they share it if it turns out to speak HTTP/2 (curl's
 * "pipewait").
 *
 * <p>Thread-safe.
 */
public final class HttpClient implements AutoCloseable {

  /** Where connections go: scheme, host and port. */
  record Origin(String scheme, String host, int port) {
    static Origin of(HttpUrl url) {
      return new Origin(url.scheme(), url.host().toLowerCase(Locale.ROOT), url.port());
    }

    // Written out rather than left to the record: the record's own are bound at their first call
    // by an invokedynamic bootstrap that generates method-handle classes, which the launcher's AOT
    // cache does not keep; a `wharf get` spent 7 ms of its start there, at its first map lookup.
    @Override
    public boolean equals(Object other) {
      return other instanceof Origin o
          && port == o.port
          && scheme.equals(o.scheme)
          && host.equals(o.host);
    }

    @Override
    public int hashCode() {
      return (scheme.hashCode() * 31 + host.hashCode()) * 31 + port;
    }
  }

  /** Which HTTP versions the client speaks, as curl's {@code --http1.1}, {@code --http2}... */
  public enum Version {
    /** HTTP/1.1 only; ALPN offers {@code http/1.1}. */
    HTTP_1_1,
    /**
     * HTTP/2 where the server agrees by ALPN ({@code h2}, then {@code http/1.1}); HTTP/1.1 for
     * {@code http://}. The default.
     */
    HTTP_2,
    /**
     * HTTP/2 for {@code http://} too, without asking (h2c by prior knowledge, RFC 9113 §3.3); over
     * TLS, as {@link #HTTP_2}.
     */
    HTTP_2_PRIOR_KNOWLEDGE
  }

  /** How often a request the server did not process is sent again before it fails. */
  private static final int MAX_UNPROCESSED_RETRIES = 3;

  /** Configures an {@link HttpClient}. */
  public static final class Builder {
    private EventLoopGroup group;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration responseTimeout = Duration.ofSeconds(60);
    private int maxRedirects = 0;
    private long maxBodyBytes = 64L << 20;
    private TlsClientConfig tls;
    private Version version = Version.HTTP_2;

    private Builder() {}

    /** Which versions to speak; {@link Version#HTTP_2} by default. */
    public Builder version(Version value) {
      this.version = Objects.requireNonNull(value);
      return this;
    }

    /** The loops to run on; by default the client makes one loop of its own. */
    public Builder group(EventLoopGroup value) {
      this.group = Objects.requireNonNull(value);
      return this;
    }

    public Builder connectTimeout(Duration value) {
      this.connectTimeout = Objects.requireNonNull(value);
      return this;
    }

    /** The longest a whole response may take once the request is sent; zero for no limit. */
    public Builder responseTimeout(Duration value) {
      this.responseTimeout = Objects.requireNonNull(value);
      return this;
    }

    /** How many redirects to follow (0, the default, follows none). */
    public Builder followRedirects(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("redirect limit must not be negative");
      }
      this.maxRedirects = max;
      return this;
    }

    /** The largest body {@link #send} collects in memory. */
    public Builder maxBodyBytes(long value) {
      this.maxBodyBytes = value;
      return this;
    }

    /**
     * How {@code https://} connections speak TLS: which CAs to trust, pins, a client certificate,
     * and what ALPN offers, which this config decides: {@link #alpn} gives the list that goes with
     * the version. By default the system's CAs, checking the host name, offering what {@link
     * #version} asks for.
     */
    public Builder tls(TlsClientConfig value) {
      this.tls = Objects.requireNonNull(value);
      return this;
    }

    public HttpClient build() {
      return new HttpClient(this);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What ALPN offers for {@code version}: {@code h2} first unless HTTP/1.1 only. */
  public static List<String> alpn(Version version) {
    return version == Version.HTTP_1_1 ? List.of("http/1.1") : List.of("h2", "http/1.1");
  }

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Client client;
  private final LazyTlsClient tlsClient;
  private final Duration responseTimeout;
  private final int maxRedirects;
  private final long maxBodyBytes;
  private final Version version;
  private final Map<Origin, ConcurrentLinkedDeque<Http1ClientProtocol>> idle =
      new ConcurrentHashMap<>();

  /**
   * The HTTP/2 connection of each origin: pending while it is made (null if it turned out to speak
   * HTTP/1.1), removed once it takes no more exchanges.
   */
  private final Map<Origin, CompletableFuture<Http2ClientConnection>> http2 =
      new ConcurrentHashMap<>();

  private final Http2ClientConnection.Owner http2Owner =
      connection -> http2.values().removeIf(future -> future.getNow(null) == connection);

  private final Http1ClientProtocol.Pool pool =
      new Http1ClientProtocol.Pool() {
        @Override
        public void release(Http1ClientProtocol protocol) {
          idle.computeIfAbsent(protocol.origin(), o -> new ConcurrentLinkedDeque<>())
              .addFirst(protocol);
        }

        @Override
        public void remove(Http1ClientProtocol protocol) {
          var deque = idle.get(protocol.origin());
          if (deque != null) {
            deque.remove(protocol);
          }
        }
      };

  private HttpClient(Builder builder) {
    this.ownsGroup = builder.group == null;
    this.group = ownsGroup ? new EventLoopGroup(1, "wharf-http-client", true) : builder.group;
    this.client =
        Client.builder(group)
            .options(SocketOptions.DEFAULTS)
            .timeouts(Timeouts.DEFAULTS.withConnect(builder.connectTimeout))
            .build();
    this.tlsClient =
        new LazyTlsClient(
            Client.builder(group)
                .options(SocketOptions.DEFAULTS)
                .timeouts(Timeouts.DEFAULTS.withConnect(builder.connectTimeout)),
            builder.tls,
            alpn(builder.version));
    this.version = builder.version;
    this.responseTimeout = builder.responseTimeout;
    this.maxRedirects = builder.maxRedirects;
    this.maxBodyBytes = builder.maxBodyBytes;
  }

  /** Sends a request and collects the whole response (following redirects if configured). */
  public CompletableFuture<ClientResponse> send(ClientRequest request) {
    var result = new CompletableFuture<ClientResponse>();
    var redirects = new ArrayList<String>();
    exchange(
        request,
        new ResponseListener() {
          private ResponseHead head;
          private final ByteArrayOutputStream body = new ByteArrayOutputStream();
          private boolean tooLarge;
          private Headers trailers = Headers.EMPTY;

          @Override
          public void redirected(URI from, URI to, int status) {
            redirects.add(to.toString());
          }

          @Override
          public void head(ResponseHead value) {
            head = value;
            body.reset();
          }

          @Override
          public void body(ByteBuffer chunk) {
            if (body.size() + chunk.remaining() > maxBodyBytes) {
              tooLarge = true;
              chunk.position(chunk.limit());
              return;
            }
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            body.writeBytes(bytes);
          }

          @Override
          public void trailers(Headers value) {
            trailers = value;
          }

          @Override
          public void complete(ExchangeTimings timings) {
            if (tooLarge) {
              result.completeExceptionally(
                  new IOException("response body larger than " + maxBodyBytes + " bytes"));
            } else {
              result.complete(
                  new ClientResponse(
                      head, body.toByteArray(), timings, List.copyOf(redirects), trailers));
            }
          }

          @Override
          public void failed(Throwable error) {
            result.completeExceptionally(error);
          }
        });
    return result;
  }

  /**
   * Sends a request and streams the response to {@code listener}, following redirects if configured
   * (the listener then sees only the final response).
   */
  public void exchange(ClientRequest request, ResponseListener listener) {
    if (!isSupported(request.uri())) {
      listener.failed(
          new IOException(
              "unsupported URL scheme: " + request.uri().getScheme() + " (http and https only)"));
      return;
    }
    // RFC 9110 §10.1.1: a large upload asks first (curl's rule), on either version.
    ClientRequest sent = request.withExpectContinueIfLarge();
    exchange(sent, new Redirecting(sent, listener), System.nanoTime());
  }

  private void exchange(ClientRequest request, ResponseListener listener, long startNanos) {
    HttpUrl url;
    byte[] head;
    try {
      // Checked here, where a redirect's Location passes too, and not on the connect thread,
      // where a port out of range would be lost; a field that cannot be sent fails before any
      // connection is taken.
      url = HttpUrl.of(request.uri());
      head = Http1ClientProtocol.encodeHead(request, url);
    } catch (HttpUrl.MalformedUrlException e) {
      listener.failed(new MalformedURLException(e.getMessage()));
      return;
    } catch (IllegalArgumentException e) {
      listener.failed(e);
      return;
    }
    Origin origin = Origin.of(url);
    if (mayUseHttp2(origin)) {
      CompletableFuture<Http2ClientConnection> shared = http2.get(origin);
      if (shared != null) {
        sendOnShared(shared, request, url, head, origin, listener, startNanos);
        return;
      }
    }
    exchangeHttp1(request, url, head, origin, listener, startNanos);
  }

  /** Whether a connection to {@code origin} may speak HTTP/2. */
  private boolean mayUseHttp2(Origin origin) {
    return switch (version) {
      case HTTP_1_1 -> false;
      case HTTP_2 -> origin.scheme().equals("https");
      case HTTP_2_PRIOR_KNOWLEDGE -> true;
    };
  }

  /**
   * Sends on the origin's HTTP/2 connection once it is made; if it is gone, or spoke HTTP/1.1, the
   * exchange goes the HTTP/1.1 way (which makes a new connection, offering h2 again).
   */
  private void sendOnShared(
      CompletableFuture<Http2ClientConnection> shared,
      ClientRequest request,
      HttpUrl url,
      byte[] head,
      Origin origin,
      ResponseListener listener,
      long startNanos) {
    shared.whenComplete(
        (connection, error) -> {
          if (connection != null && connection.isUsable()) {
            connection.send(
                new Exchange(
                    request,
                    url,
                    new SendAgainIfUnprocessed(request, listener, startNanos),
                    true,
                    Duration.ZERO,
                    Duration.ZERO,
                    startNanos,
                    responseTimeout));
          } else {
            http2.remove(origin, shared);
            exchangeHttp1(request, url, head, origin, listener, startNanos);
          }
        });
  }

  /** Sends on a kept-alive HTTP/1.1 connection, or on a new connection. */
  private void exchangeHttp1(
      ClientRequest request,
      HttpUrl url,
      byte[] head,
      Origin origin,
      ResponseListener listener,
      long startNanos) {
    var deque = idle.get(origin);
    while (deque != null) {
      Http1ClientProtocol pooled = deque.pollFirst();
      if (pooled == null) {
        break;
      }
      if (pooled.isUsable()) {
        pooled.send(
            request,
            head,
            new SendAgainIfStale(request, head, origin, listener, startNanos),
            true,
            Duration.ZERO,
            Duration.ZERO,
            startNanos,
            responseTimeout);
        return;
      }
    }
    connectAndSend(request, url, head, origin, listener, startNanos);
  }

  /**
   * Sends on a new connection to {@code origin}: HTTP/1.1, or one that may speak HTTP/2, which
   * later requests to the origin then wait for and share.
   */
  private void connectAndSend(
      ClientRequest request,
      HttpUrl url,
      byte[] head,
      Origin origin,
      ResponseListener listener,
      long startNanos) {
    var protocol = new Http1ClientProtocol(origin, pool);
    Protocol chosen = protocol;
    Http2ClientConnection h2 = null;
    AlpnChoice alpn = null;
    CompletableFuture<Http2ClientConnection> mine = null;
    if (mayUseHttp2(origin)) {
      mine = new CompletableFuture<>();
      CompletableFuture<Http2ClientConnection> other = claimHttp2(origin, mine);
      if (other != null) {
        sendOnShared(other, request, url, head, origin, listener, startNanos);
        return;
      }
      h2 = new Http2ClientConnection(http2Owner);
      boolean tls = origin.scheme().equals("https");
      alpn = tls ? new AlpnChoice(protocol, h2) : null;
      chosen = tls ? alpn : h2;
    }
    var timing = new ConnectTiming();
    CompletableFuture<Client> connector =
        origin.scheme().equals("https")
            ? tlsClient.get()
            : CompletableFuture.completedFuture(client);
    Protocol connectWith = chosen;
    Http2ClientConnection http2Connection = h2;
    AlpnChoice choice = alpn;
    CompletableFuture<Http2ClientConnection> pending = mine;
    connector
        .thenCompose(c -> c.connect(origin.host(), origin.port(), connectWith, timing))
        .whenComplete(
            (Connection connection, Throwable error) -> {
              boolean isHttp2 =
                  error == null
                      && http2Connection != null
                      && (choice == null || choice.choseHttp2());
              if (pending != null) {
                if (!isHttp2) {
                  http2.remove(origin, pending);
                }
                pending.complete(isHttp2 ? http2Connection : null);
              }
              if (error != null) {
                listener.failed(unwrap(error));
                return;
              }
              if (isHttp2) {
                http2Connection.send(
                    new Exchange(
                        request,
                        url,
                        new SendAgainIfUnprocessed(request, listener, startNanos),
                        false,
                        timing.resolve(),
                        timing.connect(),
                        startNanos,
                        responseTimeout));
                return;
              }
              protocol.send(
                  request,
                  head,
                  listener,
                  false,
                  timing.resolve(),
                  timing.connect(),
                  startNanos,
                  responseTimeout);
            });
  }

  /**
   * Makes {@code mine} the origin's HTTP/2 connection to be, unless another is being made or is
   * usable: that one is returned, to share. A finished one that cannot be used is replaced.
   */
  private CompletableFuture<Http2ClientConnection> claimHttp2(
      Origin origin, CompletableFuture<Http2ClientConnection> mine) {
    while (true) {
      CompletableFuture<Http2ClientConnection> existing = http2.putIfAbsent(origin, mine);
      if (existing == null) {
        return null;
      }
      boolean dead =
          existing.isDone()
              && (existing.isCompletedExceptionally()
                  || existing.getNow(null) == null
                  || !existing.getNow(null).isUsable());
      if (!dead) {
        return existing;
      }
      if (http2.replace(origin, existing, mine)) {
        return null;
      }
    }
  }

  /**
   * The listener of a request sent on an HTTP/2 connection: if the server did not process it
   * (REFUSED_STREAM, a stream past its GOAWAY's last id, RFC 9113 §8.7), it goes again on another
   * connection, a few times at most; so does an idempotent one the connection's close cut off
   * before any answer. A streamed body cannot be sent again.
   */
  private final class SendAgainIfUnprocessed extends ForwardingResponseListener {
    private final ClientRequest request;
    private final long startNanos;
    private int retries;

    SendAgainIfUnprocessed(ClientRequest request, ResponseListener target, long startNanos) {
      super(target);
      this.request = request;
      this.startNanos = startNanos;
    }

    @Override
    public void failed(Throwable error) {
      boolean replayable = !(request.body() instanceof RequestBody.Streamed);
      if (error instanceof UnprocessedRequestException unprocessed
          && replayable
          && (unprocessed.isCertain() || StaleConnectionException.isIdempotent(request.method()))
          && retries++ < MAX_UNPROCESSED_RETRIES) {
        HttpClient.this.exchange(request, this, startNanos);
      } else {
        target.failed(error);
      }
    }
  }

  /**
   * The listener of a request sent on a pooled connection: if the server had closed that connection
   * before answering ({@link StaleConnectionException}), an idempotent request whose body can be
   * sent again goes once more on a new connection (as curl and OkHttp do); anything else fails.
   */
  private final class SendAgainIfStale extends ForwardingResponseListener {
    private final ClientRequest request;
    private final byte[] head;
    private final Origin origin;
    private final long startNanos;

    SendAgainIfStale(
        ClientRequest request,
        byte[] head,
        Origin origin,
        ResponseListener target,
        long startNanos) {
      super(target);
      this.request = request;
      this.head = head;
      this.origin = origin;
      this.startNanos = startNanos;
    }

    @Override
    public void failed(Throwable error) {
      boolean replayable = !(request.body() instanceof RequestBody.Streamed);
      if (error instanceof StaleConnectionException
          && StaleConnectionException.isIdempotent(request.method())
          && replayable) {
        connectAndSend(request, HttpUrl.of(request.uri()), head, origin, target, startNanos);
      } else {
        target.failed(error);
      }
    }
  }

  /** The failure itself, not the wrapper a composed future adds. */
  private static Throwable unwrap(Throwable error) {
    return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /**
   * Times one connect for {@link ExchangeTimings}: resolving the name, then connecting, TLS
   * handshake included (until {@link #connect} is asked, when the connect has completed).
   */
  private static final class ConnectTiming implements ConnectListener {
    private volatile long resolveStart;
    private volatile long resolveEnd;

    @Override
    public void resolveStarted(String host) {
      resolveStart = System.nanoTime();
    }

    @Override
    public void resolved(String host, List<InetSocketAddress> addresses) {
      resolveEnd = System.nanoTime();
    }

    Duration resolve() {
      return Duration.ofNanos(resolveEnd - resolveStart);
    }

    Duration connect() {
      return Duration.ofNanos(System.nanoTime() - resolveEnd);
    }
  }

  /** Follows 3xx answers with a Location, up to the limit, as curl -L does. */
  private final class Redirecting extends ForwardingResponseListener {
    private ClientRequest request;
    private int followed;
    private URI next;
    private int nextStatus;

    Redirecting(ClientRequest request, ResponseListener target) {
      super(target);
      this.request = request;
    }

    @Override
    public void head(ResponseHead head) {
      int status = head.status();
      boolean redirect =
          status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
      if (redirect && followed < maxRedirects && head.headers().first("Location").isPresent()) {
        next = request.uri().resolve(head.headers().first("Location").get());
        nextStatus = status;
        return;
      }
      next = null;
      target.head(head);
    }

    @Override
    public void trailers(Headers trailers) {
      if (next == null) {
        target.trailers(trailers); // a redirect's own trailers are not wanted either
      }
    }

    @Override
    public void body(ByteBuffer chunk) {
      if (next == null) {
        target.body(chunk);
      } else {
        chunk.position(chunk.limit()); // The redirect's own body is not wanted.
      }
    }

    @Override
    public void complete(ExchangeTimings timings) {
      if (next == null) {
        target.complete(timings);
        return;
      }
      followed++;
      URI from = request.uri();
      // RFC 9110 §15.4: 303 becomes GET; 301/302 after POST become GET, as browsers and curl do.
      boolean toGet =
          nextStatus == 303
              || ((nextStatus == 301 || nextStatus == 302) && request.method().equals("POST"));
      ClientRequest previous = request;
      request =
          toGet
              ? new ClientRequest("GET", next, request.headers(), RequestBody.EMPTY)
              : request.withUri(next);
      if (!sameOrigin(request.uri(), previous.uri())) {
        // As curl without --location-trusted: credentials are not handed to another origin.
        request = request.withHeaders(request.headers().without("Authorization", "Cookie"));
      }
      target.redirected(from, next, nextStatus);
      if (!isSupported(next)) {
        target.failed(new IOException("redirect to unsupported scheme: " + next));
        return;
      }
      exchange(request, this, System.nanoTime());
    }
  }

  /** False too when either URL is unusable: its exchange then fails, and carries nothing. */
  private static boolean sameOrigin(URI one, URI other) {
    try {
      return HttpUrl.of(one).sameOrigin(HttpUrl.of(other));
    } catch (HttpUrl.MalformedUrlException e) {
      return false;
    }
  }

  private static boolean isSupported(URI uri) {
    return uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https");
  }

  /** Closes idle connections and, if it made its own, the client's event loop. */
  @Override
  public void close() {
    idle.values().forEach(deque -> deque.forEach(Http1ClientProtocol::close));
    idle.clear();
    for (CompletableFuture<Http2ClientConnection> future : http2.values()) {
      Http2ClientConnection connection = future.getNow(null);
      if (connection != null) {
        connection.shutdown();
      }
    }
    http2.clear();
    if (ownsGroup) {
      group.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }
}
