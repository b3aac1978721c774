package dev.wharf.http.client;

import dev.wharf.core.Client;
import dev.wharf.core.ConnectListener;
import dev.wharf.core.Connection;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Timeouts;
import dev.wharf.core.tls.LazyTlsClient;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.ResponseHead;
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
 * An HTTP/1.1 client over the engine: a pool of kept-alive connections per origin, redirects up to
 * a limit, connect and response timeouts.
 *
 * <pre>{@code
 * try (var client = HttpClient.builder().build()) {
 *   ClientResponse response =
 *       client.send(ClientRequest.get(URI.create("http://localhost:8000/"))).join();
 * }
 * }</pre>
 *
 * <p>{@code https://} URLs are fetched over TLS, checking the server's certificate against the
 * system's CAs unless {@link Builder#tls} says otherwise.
 *
 * <p>Thread-safe.
 */
public final class HttpClient implements AutoCloseable {

  /** Where connections go: scheme, host and port. */
  record Origin(String scheme, String host, int port) {
    static Origin of(HttpUrl url) {
      return new Origin(url.scheme(), url.host().toLowerCase(Locale.ROOT), url.port());
    }
  }

  /** Configures an {@link HttpClient}. */
  public static final class Builder {
    private EventLoopGroup group;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration responseTimeout = Duration.ofSeconds(60);
    private int maxRedirects = 0;
    private long maxBodyBytes = 64L << 20;
    private TlsClientConfig tls;

    private Builder() {}

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
     * How {@code https://} connections speak TLS: which CAs to trust, pins, a client certificate.
     * By default the system's CAs, checking the host name, offering {@code http/1.1} by ALPN.
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

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Client client;
  private final LazyTlsClient tlsClient;
  private final Duration responseTimeout;
  private final int maxRedirects;
  private final long maxBodyBytes;
  private final Map<Origin, ConcurrentLinkedDeque<Http1ClientProtocol>> idle =
      new ConcurrentHashMap<>();
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
            List.of("http/1.1"));
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
          public void complete(ExchangeTimings timings) {
            if (tooLarge) {
              result.completeExceptionally(
                  new IOException("response body larger than " + maxBodyBytes + " bytes"));
            } else {
              result.complete(
                  new ClientResponse(head, body.toByteArray(), timings, List.copyOf(redirects)));
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
    exchange(request, new Redirecting(request, listener), System.nanoTime());
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
    connectAndSend(request, head, origin, listener, startNanos);
  }

  /** Sends on a new connection to {@code origin}. */
  private void connectAndSend(
      ClientRequest request,
      byte[] head,
      Origin origin,
      ResponseListener listener,
      long startNanos) {
    var protocol = new Http1ClientProtocol(origin, pool);
    var timing = new ConnectTiming();
    CompletableFuture<Client> connector =
        origin.scheme().equals("https")
            ? tlsClient.get()
            : CompletableFuture.completedFuture(client);
    connector
        .thenCompose(c -> c.connect(origin.host(), origin.port(), protocol, timing))
        .whenComplete(
            (Connection connection, Throwable error) -> {
              if (error != null) {
                listener.failed(unwrap(error));
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
        connectAndSend(request, head, origin, target, startNanos);
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
    if (ownsGroup) {
      group.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }
}
