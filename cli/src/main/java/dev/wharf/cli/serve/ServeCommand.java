package dev.wharf.cli.serve;

import dev.wharf.channels.BrowserClient;
import dev.wharf.channels.Channels;
import dev.wharf.cli.ByteSize;
import dev.wharf.cli.HostPort;
import dev.wharf.cli.Main;
import dev.wharf.cli.admin.AdminOptions;
import dev.wharf.cli.admin.AdminServer;
import dev.wharf.cli.admin.RequestCounter;
import dev.wharf.cli.channels.ChannelsOptions;
import dev.wharf.cli.tls.ServerTlsOptions;
import dev.wharf.cli.ws.WsEcho;
import dev.wharf.core.Addresses;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.MemoryBudget;
import dev.wharf.http.files.BasicAuth;
import dev.wharf.http.files.Cors;
import dev.wharf.http.files.StaticFiles;
import dev.wharf.http.files.Uploads;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.HttpServer;
import dev.wharf.http.server.HttpTimeouts;
import dev.wharf.websocket.WebSocketConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf serve}: a fast, safe static file server, as {@code python3 -m http.server}. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the files of a directory over HTTP/1.1: index.html or a listing for directories,"
          + " ETag and Last-Modified with 304, byte ranges, pre-compressed .br/.gz siblings.",
      "Never serves anything outside the directory; hidden files stay hidden unless asked.",
      "Optionally asks for a user and password (--auth) and lets web pages of other origins"
          + " fetch the files (--cors).",
      "ws://HOST:PORT/ws/echo is a WebSocket echo (text and binary, permessage-deflate) for"
          + " trying out clients, messages up to --ws-max-message; it asks for --auth's password"
          + " too."
    })
public final class ServeCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "DIR|PORT",
      description =
          "What to serve (default: .); a number that names no directory is the port instead, as"
              + " in python3 -m http.server 8080.")
  String directoryOrPort;

  @Option(
      names = {"-d", "--directory"},
      paramLabel = "DIR",
      description = "What to serve, as python3 -m http.server's --directory (default: .).")
  Path directory;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "Port to listen on (default: 8000; 0 picks a free one).")
  Integer port;

  @Option(
      names = {"-b", "--bind"},
      paramLabel = "ADDRESS",
      description = "Address to listen on (default: all interfaces).")
  String bind;

  @Option(names = "--quiet", description = "No access log.")
  boolean quiet;

  @Option(
      names = "--http1-only",
      description =
          "Speak HTTP/1.1 only. By default HTTP/2 is spoken too: over --tls when the client picks"
              + " h2 by ALPN, in clear text when it starts with HTTP/2's preface (prior knowledge).")
  boolean http1Only;

  @Option(names = "--no-listing", description = "Answer 403 for directories without index.html.")
  boolean noListing;

  @Option(names = "--show-hidden", description = "Serve and list names starting with a dot.")
  boolean showHidden;

  @Option(
      names = "--follow-symlinks",
      description = "Follow symbolic links that lead out of DIR (off: they get 403).")
  boolean followSymlinks;

  @Option(
      names = "--upload",
      description =
          "Accept uploads into DIR: PUT /path/name with the file as the body (curl -T), or a"
              + " multipart form POSTed to a directory (listings then show an upload form).")
  boolean upload;

  @Option(
      names = "--overwrite",
      description = "With --upload, replace existing files (off: 409 Conflict).")
  boolean overwrite;

  @Option(
      names = "--max-upload",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description = "Largest upload accepted, e.g. 500M or 4G (default: 1G; larger get 413).")
  long maxUpload = 1L << 30;

  @Option(
      names = "--header-timeout",
      paramLabel = "SECONDS",
      description =
          "Time a request head may take from its first byte (default: 10; slower get 408).")
  double headerTimeout = HttpTimeouts.DEFAULTS.requestHead().toMillis() / 1000.0;

  @Option(
      names = "--file-cache",
      paramLabel = "SECONDS",
      description =
          "How long what was learned of a served file (its place, validators, and the bytes of"
              + " one up to 16 KiB) is used before the file is looked at again, as nginx's"
              + " open_file_cache (default: 2; 0 turns it off). A change on disk shows after at"
              + " most this; uploads show at once.")
  double fileCache = StaticFiles.Caching.DEFAULTS.ttl().toMillis() / 1000.0;

  @Option(
      names = "--max-buffered",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description =
          "Memory all connections together may fill with request bodies and WebSocket messages"
              + " still arriving (default: a quarter of the heap); past it, new ones get 503 or"
              + " close 1009.")
  long maxBuffered = MemoryBudget.defaultLimitBytes();

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Event loops (default: one per core).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--auth",
      paramLabel = "USER:PASSWORD",
      description = {
        "Ask every request for this user and password (HTTP Basic, RFC 7617); others get 401.",
        "Without TLS the password crosses the network readable by anyone on the way, and other"
            + " local users can see it in the process list."
      })
  String auth;

  @Option(
      names = "--cors",
      arity = "0..1",
      fallbackValue = "*",
      paramLabel = "ORIGIN",
      description = {
        "Let web pages of ORIGIN (default: any, *) fetch the files: adds the CORS headers and"
            + " answers preflight requests (which need no --auth).",
        "Put DIR before --cors, or write --cors=ORIGIN, so DIR is not taken for the origin."
      })
  String cors;

  @Option(
      names = "--ws-max-message",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description =
          "Largest message /ws/echo takes, after decompression (default: 16M; larger close with"
              + " 1009).")
  long wsMaxMessage = WsEcho.DEFAULT_MAX_MESSAGE;

  @Option(
      names = "--ws-max-frame",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description = "Largest frame /ws/echo takes (default: as --ws-max-message).")
  Long wsMaxFrame;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description =
          "Most connections held at once; at the limit new ones wait and the idlest are closed"
              + " for them (default: 3/4 of the open-files limit, ulimit -n).")
  Integer maxConnections;

  @Mixin ServerTlsOptions tls = new ServerTlsOptions();

  @Mixin ChannelsOptions channels = new ChannelsOptions();

  @Mixin AdminOptions admin = new AdminOptions();

  /** How long Ctrl-C waits for requests in flight before cutting them. */
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  /** The realm the browser shows when it asks for the password. */
  static final String REALM = "wharf";

  /** The methods serve answers, as it tells in Allow and in CORS preflights. */
  static final List<String> METHODS = List.of("GET", "HEAD", "OPTIONS");

  /** With --upload, files also come in by PUT and POST. */
  static final List<String> UPLOAD_METHODS = List.of("GET", "HEAD", "OPTIONS", "PUT", "POST");

  /**
   * What the command line asked for; starts nothing.
   *
   * @param auth the credentials every request must carry, if asked
   * @param corsOrigin the origin allowed to read responses from scripts, if asked
   * @param tls whether to serve HTTPS
   * @param wsEcho the settings of /ws/echo (--ws-max-message, --ws-max-frame)
   * @param fileCache what the static files keep of what they served, and how long (--file-cache)
   */
  record Options(
      Path directory,
      InetSocketAddress address,
      StaticFiles.Options files,
      Optional<Uploads.Options> uploads,
      long maxUpload,
      HttpTimeouts timeouts,
      long maxBuffered,
      boolean quiet,
      int threads,
      Optional<BasicAuth.Credentials> auth,
      Optional<String> corsOrigin,
      boolean tls,
      WebSocketConfig wsEcho,
      Optional<InetSocketAddress> admin,
      StaticFiles.Caching fileCache) {}

  Options options() throws IOException {
    Path served = directory == null ? Path.of(".") : directory;
    int listenPort = port == null ? 8000 : port;
    if (directoryOrPort != null) {
      if (isPortNumber(directoryOrPort) && !Files.exists(Path.of(directoryOrPort))) {
        if (port != null) {
          throw new IllegalArgumentException(
              "give the port once: " + directoryOrPort + " or -p " + port);
        }
        listenPort = HostPort.port(directoryOrPort);
      } else if (directory != null) {
        throw new IllegalArgumentException(
            "give the directory once: " + directoryOrPort + " or --directory " + directory);
      } else {
        served = Path.of(directoryOrPort);
      }
    }
    if (listenPort < 0 || listenPort > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + listenPort);
    }
    if (!(headerTimeout > 0 && headerTimeout <= 86_400)) {
      throw new IllegalArgumentException(
          "--header-timeout must be above 0 and at most 86400 seconds, got " + headerTimeout);
    }
    if (!(fileCache >= 0 && fileCache <= 3600)) {
      throw new IllegalArgumentException(
          "--file-cache must be 0 to 3600 seconds, got " + fileCache);
    }
    if (maxBuffered < 1) {
      throw new IllegalArgumentException("--max-buffered must be at least 1 byte");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1");
    }
    if (maxConnections != null && maxConnections < 1) {
      throw new IllegalArgumentException("--max-connections must be at least 1");
    }
    if (overwrite && !upload) {
      throw new IllegalArgumentException("--overwrite goes with --upload");
    }
    if (!Files.isDirectory(served)) {
      throw new IllegalArgumentException(
          (Files.exists(served) ? "not a directory: " : "no such directory: ") + served);
    }
    Optional<BasicAuth.Credentials> credentials = Optional.empty();
    if (auth != null) {
      // The messages never repeat the value: it holds a password.
      if (auth.indexOf(':') < 0) {
        throw new IllegalArgumentException("--auth takes USER:PASSWORD; the value has no colon");
      }
      try {
        credentials = Optional.of(BasicAuth.Credentials.parse(auth));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--auth: " + e.getMessage(), e);
      }
    }
    if (cors != null) {
      try {
        Cors.checkOrigin(cors);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--cors: " + e.getMessage() + "; put DIR before --cors or write --cors=ORIGIN", e);
      }
    }
    ByteSize.messageLimit("--ws-max-message", wsMaxMessage);
    channels.check();
    tls.check();
    if (tls.alpn != null && !tls.alpn.equals(List.of("http/1.1"))) {
      throw new IllegalArgumentException("serve speaks HTTP/1.1 only: --alpn can only be http/1.1");
    }
    InetSocketAddress address =
        bind == null
            ? new InetSocketAddress(listenPort)
            : new InetSocketAddress(InetAddress.getByName(bind), listenPort);
    Optional<InetSocketAddress> adminAddress = admin.address(credentials.isPresent());
    return new Options(
        served.toAbsolutePath().normalize(),
        address,
        new StaticFiles.Options(!noListing, showHidden, followSymlinks, upload),
        upload ? Optional.of(new Uploads.Options(overwrite, showHidden)) : Optional.empty(),
        maxUpload,
        new HttpTimeouts(
            Duration.ofMillis(Math.max(1, Math.round(headerTimeout * 1000))),
            HttpTimeouts.DEFAULTS.keepAliveIdle(),
            HttpTimeouts.DEFAULTS.minBodyBytesPerSecond()),
        maxBuffered,
        quiet,
        threads,
        credentials,
        Optional.ofNullable(cors),
        tls.enabled(),
        WsEcho.config(
            ByteSize.messageLimit("--ws-max-frame", wsMaxFrame != null ? wsMaxFrame : wsMaxMessage),
            wsMaxMessage),
        adminAddress,
        StaticFiles.Caching.DEFAULTS.withTtl(Duration.ofMillis(Math.round(fileCache * 1000))));
  }

  private static boolean isPortNumber(String text) {
    return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * Puts what was asked for in front of a handler: CORS outermost, so that preflights pass without
   * credentials and a 401 still tells a page of another origin what happened.
   */
  static Handler guard(Options options, Handler handler) {
    Handler guarded = handler;
    if (options.auth().isPresent()) {
      guarded = BasicAuth.protect(REALM, options.auth().get(), guarded);
    }
    if (options.corsOrigin().isPresent()) {
      guarded = Cors.allow(options.corsOrigin().get(), methods(options), guarded);
    }
    return guarded;
  }

  static List<String> methods(Options options) {
    return options.uploads().isPresent() ? UPLOAD_METHODS : METHODS;
  }

  /**
   * The address as the startup line's URL shows it: a name as given, an IPv6 address compressed and
   * in brackets ({@code [::1]}, RFC 3986 §3.2.2).
   */
  static String host(Options options) {
    InetSocketAddress address = options.address();
    if (address.getAddress().isAnyLocalAddress()) {
      return "0.0.0.0";
    }
    String host = address.getHostString();
    return host.contains(":") ? "[" + Addresses.host(address.getAddress()) + "]" : host;
  }

  /**
   * A warning when --auth would send passwords readable by anyone on the network path: plain HTTP
   * on an address other machines can reach.
   */
  static Optional<String> clearTextWarning(Options options) {
    if (options.auth().isEmpty()
        || options.tls()
        || options.address().getAddress().isLoopbackAddress()) {
      return Optional.empty();
    }
    return Optional.of(
        "warning: --auth over plain HTTP on "
            + host(options)
            + ": the password crosses the network in clear text; add --tls or bind to"
            + " 127.0.0.1");
  }

  private static final java.util.regex.Pattern TOKEN_PARAMETER =
      java.util.regex.Pattern.compile("([?&]" + Channels.TOKEN_PARAMETER + "=)[^&\\s\"]+");

  /**
   * An access log line with the value of a channels {@code token} query parameter hidden: a JWT in
   * a log is a credential anyone who reads the log can use until it expires.
   */
  static String withoutTokens(String line) {
    return TOKEN_PARAMETER.matcher(line).replaceAll("$1(hidden)");
  }

  /** OPTIONS on a path: what it allows. A route of ours, so that --auth and --cors apply. */
  private static Handler answerOptions(List<String> methods) {
    String allow = String.join(", ", methods);
    return (request, response) -> response.header("Allow", allow).status(204).end();
  }

  /**
   * Deletes, in the background, the temporary files of uploads a crash cut off; the walk of a large
   * tree must not hold up the start.
   */
  private static void removeStaleParts(Uploads uploads, PrintWriter err) {
    Thread.ofVirtual()
        .name("wharf-serve-stale-parts")
        .start(
            () -> {
              try {
                uploads.removeStaleParts();
              } catch (IOException e) {
                synchronized (err) {
                  err.println("wharf serve: could not remove stale partial uploads: " + e);
                  err.flush();
                }
              }
            });
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    // Before any thread starts: a certificate that cannot be used is the whole answer.
    ServerTlsOptions.Loaded https =
        options.tls()
            ? tls.load(
                ServerTlsOptions.namesFor(bind),
                http1Only ? List.of("http/1.1") : List.of("h2", "http/1.1"))
            : null;
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    var files = new StaticFiles(options.directory(), options.files(), options.fileCache());
    var group = new EventLoopGroup(options.threads(), "wharf-serve", true);
    var stopped = new CountDownLatch(1);
    Handler guardedFiles = guard(options, files);
    Handler guardedOptions = guard(options, answerOptions(methods(options)));
    var budget = MemoryBudget.of(options.maxBuffered());
    var builder =
        HttpServer.builder(group)
            .http2(!http1Only)
            .timeouts(options.timeouts())
            .memoryBudget(budget)
            .route(
                "GET",
                WsEcho.PATH,
                guard(
                    options,
                    WsEcho.handler(options.wsEcho().toBuilder().memoryBudget(budget).build())))
            .routeBlocking("GET", "/*", guardedFiles)
            .routeBlocking("GET", "/", guardedFiles)
            .route("OPTIONS", "/*", guardedOptions)
            .route("OPTIONS", "/", guardedOptions)
            // The server-wide OPTIONS * too: --auth asks every request for the password.
            .route("OPTIONS", "*", guardedOptions);
    if (options.uploads().isPresent()) {
      var receiver = new Uploads(options.directory(), options.uploads().get(), files::forgetCached);
      removeStaleParts(receiver, err);
      Handler uploads = guard(options, receiver);
      builder
          .routeStreaming("PUT", "/*", options.maxUpload(), uploads)
          .routeStreaming("POST", "/*", options.maxUpload(), uploads)
          .routeStreaming("POST", "/", options.maxUpload(), uploads);
    }
    Channels channelsEndpoint;
    try {
      channelsEndpoint = channels.enabled() ? channels.start() : null;
    } catch (IOException e) {
      group.shutdownGracefully(Duration.ZERO).join(); // the broker is not there: nothing starts
      throw e;
    }
    if (channelsEndpoint != null) {
      builder
          .route("GET", Channels.PATH, guard(options, channelsEndpoint.handler()))
          .route("GET", BrowserClient.SCRIPT_PATH, guard(options, BrowserClient.script()))
          .route("GET", BrowserClient.CHAT_PATH, guard(options, BrowserClient.chatPage()));
    }
    if (https != null) {
      builder.tls(https.config());
    }
    if (maxConnections != null) {
      builder.maxConnections(maxConnections);
    }
    Main.prepareLogging();
    var requests = new RequestCounter();
    if (!options.quiet()) {
      // One line per request in Common Log Format, on stderr as python's http.server does.
      builder.accessLog(
          entry -> {
            if (options.admin().isPresent()) {
              requests.accept(entry);
            }
            synchronized (err) {
              err.println(withoutTokens(entry.commonLogFormat()));
              err.flush();
            }
          });
    } else if (options.admin().isPresent()) {
      builder.accessLog(requests); // the dashboard's requests per second
    }
    AdminServer adminServer = null;
    HttpServer server;
    try {
      if (options.admin().isPresent()) {
        // Before the served server binds, so that the dashboard sees its listener open.
        adminServer =
            AdminServer.start(
                options.admin().get(),
                group.registry(),
                requests,
                Optional.ofNullable(channelsEndpoint),
                options.auth(),
                REALM);
      }
      server = builder.bind(options.address());
    } catch (IOException e) {
      if (adminServer != null) {
        adminServer.close();
      }
      group.shutdownGracefully(Duration.ZERO).join();
      throw e;
    }
    AdminServer adminListener = adminServer;
    // Before the startup line: a Ctrl-C the moment it shows must find the graceful stop.
    String again = CtrlCTwice.install() ? "; Ctrl-C again stops at once" : "";
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      // Ctrl-C: stop accepting, let requests in flight finish, then exit. Said,
                      // since a transfer in flight makes the wait last.
                      synchronized (err) {
                        err.println(
                            "wharf serve: stopping: no new connections; waiting up to "
                                + STOP_WAIT.toSeconds()
                                + " s for requests in flight"
                                + again);
                        err.flush();
                      }
                      server.close();
                      group.shutdownGracefully(STOP_WAIT).join();
                      if (adminListener != null) {
                        adminListener.close();
                      }
                      if (channelsEndpoint != null) {
                        channelsEndpoint.close();
                      }
                      stopped.countDown();
                    }));
    int actualPort = server.port();
    String host = host(options);
    String scheme = options.tls() ? "https" : "http";
    clearTextWarning(options)
        .ifPresent(
            warning -> {
              err.println("wharf serve: " + warning);
              err.flush();
            });
    if (https != null) {
      https.describe(scheme + "://localhost:" + actualPort + "/", true).forEach(out::println);
    }
    out.println(
        "Serving "
            + options.directory()
            + " on "
            + scheme
            + "://"
            + host
            + ":"
            + actualPort
            + "/ ("
            + scheme
            + "://localhost:"
            + actualPort
            + "/); Ctrl-C stops.");
    if (adminListener != null) {
      out.println(
          "Admin dashboard on http://"
              + AdminOptions.urlHost(options.admin().get())
              + ":"
              + adminListener.port()
              + "/ (Prometheus metrics at /metrics, the socket table as JSON at /api/sockets).");
    }
    if (channelsEndpoint != null) {
      channels.startupLines(scheme, host, actualPort).forEach(out::println);
      err.println("wharf serve: " + channels.whoMayConnect());
      err.flush();
    }
    options
        .uploads()
        .ifPresent(
            uploads ->
                out.println(
                    "Uploads on: PUT or POST files up to "
                        + ByteSize.format(options.maxUpload())
                        + (uploads.overwrite()
                            ? "; existing files are replaced."
                            : "; existing files are kept.")));
    out.flush();
    stopped.await();
    return 0;
  }
}
