package dev.wharf.cli.admin;

import dev.wharf.channels.Channels;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.SocketRegistry;
import dev.wharf.http.files.BasicAuth;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.HttpServer;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketConfig;
import dev.wharf.websocket.WebSocketListener;
import dev.wharf.websocket.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The admin listener of {@code wharf serve --admin}: the dashboard page and its script, uPlot from
 * its WebJar, the live WebSocket ({@link #LIVE_PATH}), {@code /metrics} and {@code /api/sockets};
 * everything behind --auth when given. Runs on a one-loop group of its own, which also holds the
 * dashboard's state ({@link LiveTable}).
 */
public final class AdminServer implements AutoCloseable {
  static final String LIVE_PATH = "/api/live";
  static final String SOCKETS_PATH = "/api/sockets";
  static final String METRICS_PATH = "/metrics";

  /** Where uPlot's files are inside its WebJar (the version from the jar's own pom.properties). */
  private static final String UPLOT =
      "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";

  private final EventLoopGroup group;
  private final HttpServer server;

  private AdminServer(EventLoopGroup group, HttpServer server) {
    this.group = group;
    this.server = server;
  }

  /**
   * Starts watching {@code registry} (before the served server binds, so no socket is missed) and
   * listens on {@code address}.
   *
   * @param requests fed by the served server's access log
   * @param channels the channels endpoint, when --channels is on
   * @param auth the credentials every admin request must carry, if --auth was given
   */
  public static AdminServer start(
      InetSocketAddress address,
      SocketRegistry registry,
      RequestCounter requests,
      Optional<Channels> channels,
      Optional<BasicAuth.Credentials> auth,
      String realm)
      throws IOException {
    var group = new EventLoopGroup(1, "wharf-admin", true);
    try {
      var table = new LiveTable(group.next(), registry, requests, channels);
      var metrics = new AdminMetrics(registry, requests, table, channels);
      var live =
          WebSocketServer.handler(
              WebSocketConfig.builder()
                  .maxMessageBytes(4096)
                  // On the admin loop, which owns the table: join and leave touch it directly.
                  .dispatch(WebSocketConfig.Dispatch.EVENT_LOOP)
                  .build(),
              () ->
                  new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket webSocket) {
                      table.join(webSocket);
                    }

                    @Override
                    public void onClose(WebSocket webSocket, int code, String reason) {
                      table.leave(webSocket);
                    }
                  });
      var builder =
          HttpServer.builder(group)
              .http2(false)
              .route("GET", "/", guard(auth, realm, page("dashboard.html", "text/html")))
              .route(
                  "GET",
                  "/dashboard.js",
                  guard(auth, realm, page("dashboard.js", "text/javascript")))
              .route(
                  "GET",
                  "/uplot.js",
                  guard(auth, realm, webJar("uPlot.iife.min.js", "text/javascript")))
              .route("GET", "/uplot.css", guard(auth, realm, webJar("uPlot.min.css", "text/css")))
              .route("GET", LIVE_PATH, guard(auth, realm, live))
              .routeBlocking("GET", METRICS_PATH, guard(auth, realm, metrics(metrics)))
              .routeBlocking("GET", SOCKETS_PATH, guard(auth, realm, sockets(registry, channels)));
      table.start();
      return new AdminServer(group, builder.bind(address));
    } catch (IOException | RuntimeException e) {
      group.shutdownGracefully(Duration.ZERO).join();
      throw e;
    }
  }

  /** The port it listens on (the real one when 0 was asked for). */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(1)).join();
  }

  private static Handler guard(
      Optional<BasicAuth.Credentials> auth, String realm, Handler handler) {
    return auth.isPresent() ? BasicAuth.protect(realm, auth.get(), handler) : handler;
  }

  private static Handler metrics(AdminMetrics metrics) {
    return (request, response) ->
        response
            .header("Cache-Control", "no-store")
            .send(200, AdminMetrics.WRITER.getContentType(), metrics.scrape());
  }

  /** {@code {"listeners":[...],"connections":[...]}}, read from every served loop now. */
  private static Handler sockets(SocketRegistry registry, Optional<Channels> channels) {
    return (request, response) -> {
      List<ConnectionInfo> connections = registry.connections();
      Map<SocketAddress, List<String>> subscriptions =
          channels.map(Channels::subscriptionsByClient).orElse(Map.of());
      long now = System.currentTimeMillis();
      var out = new StringBuilder("{\"listeners\":");
      AdminJson.array(out, registry.listeners(), AdminJson::listener);
      out.append(",\"connections\":");
      AdminJson.array(
          out,
          connections,
          (o, info) ->
              AdminJson.connection(
                  o, info, now, subscriptions.getOrDefault(info.remote(), List.of())));
      out.append("}\n");
      response
          .header("Cache-Control", "no-store")
          .send(200, "application/json", out.toString().getBytes(StandardCharsets.UTF_8));
    };
  }

  private static Handler page(String name, String type) {
    return file(read(AdminServer.class, name), type);
  }

  private static Handler webJar(String name, String type) {
    return file(readShared(UPLOT + name), type);
  }

  private static Handler file(byte[] body, String type) {
    return (request, response) ->
        response
            .header("Cache-Control", "no-cache")
            .header("X-Content-Type-Options", "nosniff")
            .send(200, type + "; charset=utf-8", body);
  }

  private static byte[] read(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing from the jar: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A file of another jar outside any package (a WebJar's META-INF/...): such resources are not
   * encapsulated, so the class loader finds them on the module path as on the class path.
   */
  private static byte[] readShared(String name) {
    try (InputStream in = AdminServer.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing from the class path: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String uplotVersion() {
    var properties = new Properties();
    try (InputStream in =
        AdminServer.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("uPlot's WebJar is missing");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }
}
