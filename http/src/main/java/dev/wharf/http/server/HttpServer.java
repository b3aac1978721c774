package dev.wharf.http.server;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.MemoryBudget;
import dev.wharf.core.Protocol;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Timeouts;
import dev.wharf.core.tls.TlsProtocol;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.http.HttpLimits;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An HTTP/1.1 server: routes requests by method and path to {@link Handler}s.
 *
 * <pre>{@code
 * var server = HttpServer.builder(group)
 *     .get("/plaintext", (request, response) -> response.send("Hello, World!"))
 *     .bind(new InetSocketAddress(8080));
 * }</pre>
 *
 * <p>Thread-safe. Handlers run on the event loops unless their route is declared blocking.
 */
public final class HttpServer implements AutoCloseable {

  /** Everything a connection's protocol needs; immutable. {@code accessLog} may be null: none. */
  record Config(
      Routes routes,
      Routes.Route fallback,
      HttpLimits limits,
      HttpTimeouts timeouts,
      Consumer<AccessLogEntry> accessLog,
      MemoryBudget budget) {
    Config(
        Routes routes,
        Routes.Route fallback,
        HttpLimits limits,
        HttpTimeouts timeouts,
        Consumer<AccessLogEntry> accessLog) {
      this(routes, fallback, limits, timeouts, accessLog, MemoryBudget.processDefault());
    }
  }

  /** Configures and binds an {@link HttpServer}. */
  public static final class Builder {
    private final EventLoopGroup group;
    private final Routes routes = new Routes();
    private Routes.Route fallback =
        new Routes.Route(
            (request, response) ->
                response.send(
                    404,
                    "text/plain; charset=utf-8",
                    ("404 Not Found: " + request.path() + "\n").getBytes(StandardCharsets.UTF_8)),
            false);
    private HttpLimits limits = HttpLimits.DEFAULTS;
    private HttpTimeouts timeouts = HttpTimeouts.DEFAULTS;
    private SocketOptions options = SocketOptions.DEFAULTS;
    private Consumer<AccessLogEntry> accessLog; // None: no entries made at all.
    private MemoryBudget budget = MemoryBudget.processDefault();
    private TlsServerConfig tls;
    private int maxConnections; // 0: the transport's default, from the descriptor limit.
    private boolean http2;

    private Builder(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
    }

    /**
     * A handler for one method and path; a path ending in {@code /*} matches a prefix. The path
     * {@code *} takes {@code OPTIONS *}, which the server otherwise answers itself.
     */
    public Builder route(String method, String path, Handler handler) {
      routes.add(method, path, new Routes.Route(handler, false));
      return this;
    }

    /** As {@link #route}, for a handler that blocks: it runs on a virtual thread. */
    public Builder routeBlocking(String method, String path, Handler handler) {
      routes.add(method, path, new Routes.Route(handler, true));
      return this;
    }

    /**
     * A blocking handler that reads its request body as it arrives ({@link
     * ServerRequest#bodyStream()}), for uploads and other bodies too large to hold: it starts as
     * soon as the request head is in, and the client is slowed to the pace the handler reads at.
     * Bodies larger than {@code maxBodyBytes} get 413 (before any byte is read when the length is
     * declared).
     */
    public Builder routeStreaming(String method, String path, long maxBodyBytes, Handler handler) {
      if (maxBodyBytes < 0) {
        throw new IllegalArgumentException("maxBodyBytes must not be negative");
      }
      routes.add(method, path, new Routes.Route(handler, true, true, maxBodyBytes));
      return this;
    }

    public Builder get(String path, Handler handler) {
      return route("GET", path, handler);
    }

    public Builder post(String path, Handler handler) {
      return route("POST", path, handler);
    }

    /** What answers requests no route matches (404 by default). */
    public Builder fallback(Handler handler, boolean blocking) {
      this.fallback = new Routes.Route(handler, blocking);
      return this;
    }

    public Builder limits(HttpLimits value) {
      this.limits = Objects.requireNonNull(value);
      return this;
    }

    public Builder timeouts(HttpTimeouts value) {
      this.timeouts = Objects.requireNonNull(value);
      return this;
    }

    public Builder options(SocketOptions value) {
      this.options = Objects.requireNonNull(value);
      return this;
    }

    /**
     * What buffered request bodies of all connections may hold together (default: {@link
     * MemoryBudget#processDefault()}, shared with WebSocket messages); a body that finds it spent
     * gets 503 with Retry-After. Streamed bodies are held back by flow control instead.
     */
    public Builder memoryBudget(MemoryBudget value) {
      this.budget = Objects.requireNonNull(value);
      return this;
    }

    /** Told of every answered request, on the connection's loop: keep it quick. */
    public Builder accessLog(Consumer<AccessLogEntry> value) {
      this.accessLog = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Serves HTTPS: every connection speaks TLS first. A config that offers no ALPN protocols is
     * made to offer {@code http/1.1}.
     */
    public Builder tls(TlsServerConfig config) {
      this.tls = Objects.requireNonNull(config);
      return this;
    }

    /**
     * Speaks HTTP/2 as well (off by default): over TLS when ALPN picks {@code h2} (offered first:
     * servers prefer it, RFC 9113 §3.2), and in cleartext by prior knowledge (h2c) on the same port
     * as HTTP/1.1, told apart by the connection preface. The same routes answer both versions.
     */
    public Builder http2(boolean value) {
      this.http2 = value;
      return this;
    }

    /** The most connections held at once: see {@link Server.Builder#maxConnections}. */
    public Builder maxConnections(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, got " + value);
      }
      this.maxConnections = value;
      return this;
    }

    /**
     * A new protocol for one connection, as {@link #bind} gives each: to serve a connection of
     * one's own, or one with no socket ({@code dev.wharf.core.testing.EmbeddedConnection}, as the
     * benchmarks do). TLS and the connection limit are the listener's and do not apply.
     */
    public Protocol protocol() {
      return new Http1ServerProtocol(new Dispatcher(config()), http2);
    }

    /**
     * The server's limits, timeouts and access log, with one answer for every request: a 400 that
     * says the port speaks HTTPS, and the https:// URL to use where the request names its host.
     */
    private static Config plainHttpToHttpsConfig(Config served) {
      Handler refuse =
          (request, response) -> {
            // The target is a path but for a proxy's absolute URL or OPTIONS' "*".
            String path = request.target().startsWith("/") ? request.target() : "/";
            String url =
                request
                    .header("Host")
                    .map(host -> " Use https://" + host + path)
                    .orElse(" Use an https:// URL");
            response
                .header("Connection", "close")
                .header("X-Content-Type-Options", "nosniff")
                .send(
                    400,
                    "text/plain; charset=utf-8",
                    ("400 Bad Request: this port speaks HTTPS, and the request came in plain HTTP."
                            + url
                            + ".\n")
                        .getBytes(StandardCharsets.UTF_8));
          };
      var everyRequest = new Routes.Route(refuse, false);
      var routes = new Routes();
      // OPTIONS * too, which the dispatcher would otherwise answer itself, allowing nothing.
      routes.add("OPTIONS", "*", everyRequest);
      return new Config(
          routes,
          everyRequest,
          served.limits(),
          served.timeouts(),
          served.accessLog(),
          served.budget());
    }

    /** What the builder holds now; later calls to the builder do not change it. */
    private Config config() {
      return new Config(routes.snapshot(), fallback, limits, timeouts, accessLog, budget);
    }

    /**
     * Binds and starts serving the routes added so far: the server keeps a snapshot of them, so
     * routes added to this builder afterwards do not reach it (bind again for a server that has
     * them).
     */
    public HttpServer bind(SocketAddress address) throws IOException {
      // One dispatcher for all the server's HTTP/1.1 connections (its route memo is shared).
      var dispatcher = new Dispatcher(config());
      // HTTP keeps its own, finer deadlines; the transport's idle timeout backs them up.
      Server.Builder server =
          Server.builder(group).options(options).timeouts(Timeouts.DEFAULTS).name("http");
      if (maxConnections > 0) {
        server.maxConnections(maxConnections);
      }
      if (tls != null) {
        List<String> alpn = http2 ? List.of("h2", "http/1.1") : List.of("http/1.1");
        // A plain HTTP request (an http:// URL) is answered in plain HTTP, 400, as nginx does:
        // its client could not read a TLS alert ("Received HTTP/0.9" in curl).
        var plainHttp = new Dispatcher(plainHttpToHttpsConfig(config()));
        server
            .name("https")
            .layer(
                TlsProtocol.serverLayer(
                    tls.alpn().isEmpty() ? tls.withAlpn(alpn) : tls,
                    // h2c too: curl --http2-prior-knowledge reads the 400 over HTTP/2.
                    () -> new Http1ServerProtocol(plainHttp, http2)));
        if (http2) {
          return new HttpServer(server.bind(address, () -> new ProtocolByAlpn(dispatcher)));
        }
      }
      boolean h2c = http2;
      return new HttpServer(server.bind(address, () -> new Http1ServerProtocol(dispatcher, h2c)));
    }
  }

  public static Builder builder(EventLoopGroup group) {
    return new Builder(group);
  }

  private final Server server;

  private HttpServer(Server server) {
    this.server = server;
  }

  public SocketAddress localAddress() {
    return server.localAddress();
  }

  public int port() {
    return server.port();
  }

  /** Stops accepting; shut the group down to finish open connections gracefully. */
  @Override
  public void close() {
    server.close();
  }
}
