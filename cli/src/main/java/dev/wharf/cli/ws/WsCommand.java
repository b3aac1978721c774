package dev.wharf.cli.ws;

import dev.wharf.cli.ByteSize;
import dev.wharf.cli.HostPort;
import dev.wharf.cli.IpFamily;
import dev.wharf.cli.Seconds;
import dev.wharf.cli.Story;
import dev.wharf.cli.Target;
import dev.wharf.cli.Urls;
import dev.wharf.cli.UserCredentials;
import dev.wharf.cli.UserOption;
import dev.wharf.cli.io.StdoutSink;
import dev.wharf.cli.tls.ClientTlsOptions;
import dev.wharf.cli.tls.ServerTlsOptions;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Transport;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.fields.Tokens;
import dev.wharf.http.files.BasicAuth;
import dev.wharf.websocket.DeflateOptions;
import dev.wharf.websocket.WebSocketConfig;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf ws}: a WebSocket client (or, with --listen, server) on stdin and stdout. */
@Command(
    name = "ws",
    mixinStandardHelpOptions = true,
    description = {
      "Connects to a WebSocket server and joins it to stdin and stdout: each line of stdin goes"
          + " out as a text message, each message received is printed on a line of its own.",
      "At the end of stdin a Close (1000) is sent and the peer's answer awaited; the exit status"
          + " is 0 after a normal close, 1 with a line on stderr after anything else (a refused"
          + " handshake, a lost connection, another close code).",
      "With --listen it is the server: it accepts one WebSocket (any path) and pipes it as"
          + " 'wharf listen' does. With -k (--keep-open) it serves one peer after another, and"
          + " an upgrade that comes while one is served is answered 503; the end of stdin then"
          + " closes nobody. With --tls it speaks wss://, with --cert and --key or a kept"
          + " self-signed certificate, as 'wharf serve --tls' does.",
      "wss:// URLs speak TLS, checking the server's certificate against the system's CAs unless"
          + " --cacert, --insecure or --pin say otherwise.",
      "Ctrl-C (or SIGTERM) sends a Close (1001, going away) and waits up to 2 s for the peer's"
          + " answer; the exit status is then 130 (143 after SIGTERM)."
    },
    footer = {
      "%nExamples:",
      "  echo hello | wharf ws ws://localhost:8000/ws/echo     (wharf serve's echo)",
      "  wharf ws --jsonl --exit-after 1 -H 'Origin: http://localhost' ws://host/feed",
      "  wharf ws -b ws://localhost:8000/ws/echo < in.bin > out.bin",
      "  wharf ws --listen 9000          (then: wharf ws ws://localhost:9000/)",
      "  wharf ws --listen 9443 -k --tls        (peers one after another, over wss://)"
    })
public final class WsCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "URL",
      description = "Where to connect: ws://HOST[:PORT]/PATH.")
  String url;

  @Option(
      names = {"-l", "--listen"},
      paramLabel = "[HOST:]PORT",
      description = "Be the server: accept one WebSocket on this address (HOST: all interfaces).")
  String listen;

  @Option(
      names = "--keep-open",
      description =
          "With --listen (where -k means this): after a peer leaves, serve the next; one at a"
              + " time, others are answered 503 (busy) meanwhile.")
  boolean keepOpen;

  @Option(
      names = "--tls",
      description =
          "With --listen: speak TLS (wss://), with the certificate in --cert and --key, or else"
              + " a self-signed one made once and kept in $XDG_DATA_HOME/wharf/tls (its path and"
              + " SHA-256 fingerprint are printed).")
  boolean tls;

  @Option(
      names = {"-b", "--binary"},
      description =
          "Send stdin as binary messages, one per read (up to 64 KiB), and write every message"
              + " received as it is, with nothing between them (unless --jsonl).")
  boolean binary;

  @Option(
      names = "--jsonl",
      description =
          "Write one JSON object a line for each event, for scripts: open, text (data), binary"
              + " (base64), ping, pong, close (code, reason).")
  boolean jsonl;

  @Option(
      names = "--ping",
      paramLabel = "SECONDS",
      description =
          "Send a Ping this often (-v shows the round trip). Without it, a Ping goes out only"
              + " after 30 s of silence.")
  Double pingSeconds;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "'NAME: VALUE'",
      description = "Add a header to the upgrade request (Origin, Authorization, cookies...).")
  List<String> headers = new ArrayList<>();

  @Mixin UserOption user = new UserOption();

  @Option(
      names = "--subprotocol",
      paramLabel = "NAME",
      description =
          "Offer this subprotocol (repeat for more, in order of preference); with --listen,"
              + " accept it.")
  List<String> subprotocols = new ArrayList<>();

  @Option(
      names = "--deflate",
      description = "Offer (or, with --listen, accept) permessage-deflate compression.")
  boolean deflate;

  @Option(
      names = "--exit-after",
      paramLabel = "N",
      description =
          "Close and exit after N messages received. The end of stdin then does not close the"
              + " connection: messages are awaited.")
  Long exitAfter;

  @Option(
      names = "--reconnect",
      description =
          "After a connection is lost or closed with another code than 1000, connect again,"
              + " waiting 0.5, 1, 2, 4, 8 s: up to "
              + WsDial.MAX_RECONNECTS
              + " attempts in a row.")
  boolean reconnect;

  @Option(
      names = "--max-message",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description = "Largest message received, e.g. 64M (default: 16M; larger close with 1009).")
  long maxMessage = 16L << 20;

  @Mixin ClientTlsOptions tlsOptions = new ClientTlsOptions();

  @Option(
      names = {"-v", "--verbose"},
      description =
          "Tell on stderr what happens: addresses, the TLS handshake, the upgrade request and"
              + " response, pings, close codes.")
  boolean verbose;

  InputStream in = new FileInputStream(FileDescriptor.in);
  OutputStream out = new FileOutputStream(FileDescriptor.out);

  /** Header fields that the handshake sets itself; a second copy would break it. */
  private static final Set<String> HANDSHAKE_HEADERS =
      Set.of(
          "host",
          "upgrade",
          "connection",
          "sec-websocket-key",
          "sec-websocket-version",
          "sec-websocket-protocol",
          "sec-websocket-extensions");

  /**
   * What the command line asked for.
   *
   * @param url where to connect, unless listening
   * @param listen where to listen, for --listen
   * @param keepOpen with --listen, serve one peer after another
   * @param tls with --listen, speak TLS
   * @param ping how often to ping; zero for the keepalive's pings only
   * @param exitAfter messages to receive before closing; 0 for no limit
   */
  record Options(
      Optional<URI> url,
      Optional<Target.Inet> listen,
      boolean keepOpen,
      boolean tls,
      boolean binary,
      boolean jsonl,
      Duration ping,
      List<Headers.Field> headers,
      List<String> subprotocols,
      boolean deflate,
      long exitAfter,
      boolean reconnect,
      long maxMessage,
      boolean verbose) {

    /** The WebSocket settings these options make. */
    WebSocketConfig config() {
      var builder =
          WebSocketConfig.builder()
              // Listener callbacks write stdout, which may block: never on the event loop.
              .dispatch(WebSocketConfig.Dispatch.VIRTUAL_THREAD)
              .maxMessageBytes(maxMessage)
              .maxFrameBytes(maxMessage)
              .subprotocols(subprotocols.toArray(String[]::new));
      if (deflate) {
        builder.deflate(DeflateOptions.DEFAULTS);
      }
      return builder.build();
    }

    Headers requestHeaders() {
      var builder = Headers.builder();
      headers.forEach(field -> builder.add(field.name(), field.value()));
      return builder.build();
    }
  }

  /** Parses and checks the arguments; starts nothing. */
  Options options() {
    Optional<URI> target = Optional.empty();
    Optional<BasicAuth.Credentials> credentials = Optional.empty();
    Optional<Target.Inet> server = Optional.empty();
    boolean keepServing = false;
    if (listen != null) {
      if (url != null) {
        throw new IllegalArgumentException(
            "--listen takes the place of a URL: drop " + UserCredentials.redact(url));
      }
      if (reconnect) {
        throw new IllegalArgumentException("--reconnect is for a client, not with --listen");
      }
      if (!headers.isEmpty()) {
        throw new IllegalArgumentException("--header is for a client's request, not with --listen");
      }
      if (user.isGiven()) {
        throw new IllegalArgumentException("--user is for a client's request, not with --listen");
      }
      server =
          Optional.of(
              new Target.Inet(Transport.TCP, HostPort.parse(listen, "0.0.0.0"), IpFamily.ANY));
      checkServerTls();
      // -k is --insecure for a client (as in curl) and --keep-open for a server (as in nc):
      // the two never meet, since --listen takes the place of the URL.
      keepServing = keepOpen || tlsOptions.insecure;
    } else if (url == null) {
      throw new IllegalArgumentException("give a ws:// URL to connect to, or --listen [HOST:]PORT");
    } else {
      URI parsed = parseUrl(url);
      credentials = user.credentials(parsed);
      target = Optional.of(UserCredentials.withoutUserInfo(parsed));
      if (keepOpen) {
        throw new IllegalArgumentException("--keep-open goes with --listen");
      }
      if (tls) {
        throw new IllegalArgumentException(
            "--tls goes with --listen; a client speaks TLS to a wss:// URL");
      }
      if (tlsOptions.anyGiven()) {
        if (!isSecure(target.get())) {
          throw new IllegalArgumentException(tlsOptions.firstGiven() + " goes with a wss:// URL");
        }
        tlsOptions.checked();
      }
    }
    Duration ping = pingSeconds == null ? Duration.ZERO : Seconds.of("--ping", pingSeconds);
    if (exitAfter != null && exitAfter < 1) {
      throw new IllegalArgumentException("--exit-after must be at least 1, got " + exitAfter);
    }
    ByteSize.messageLimit("--max-message", maxMessage);
    for (String name : subprotocols) {
      if (!Tokens.isToken(name)) {
        throw new IllegalArgumentException("--subprotocol must be a token, got '" + name + "'");
      }
    }
    return new Options(
        target,
        server,
        keepServing,
        tls,
        binary,
        jsonl,
        ping,
        withCredentials(headers.stream().map(WsCommand::parseHeader).toList(), credentials),
        List.copyOf(subprotocols),
        deflate,
        exitAfter == null ? 0 : exitAfter,
        reconnect,
        maxMessage,
        verbose);
  }

  /**
   * Checks the TLS options for --listen: --tls with --cert and --key (shared with the client's
   * certificate options) or none; the options that check a server are for a client only.
   */
  private void checkServerTls() {
    String clientOnly =
        tlsOptions.caCert != null
            ? "--cacert"
            : !tlsOptions.pins.isEmpty()
                ? "--pin"
                : tlsOptions.serverName != null
                    ? "--servername"
                    : insecureSpelledOut() ? "--insecure" : null;
    if (clientOnly != null) {
      throw new IllegalArgumentException(
          clientOnly
              + " checks a server: it is for wss:// URLs, not --listen"
              + (clientOnly.equals("--insecure") ? " (where -k means --keep-open)" : ""));
    }
    if (tlsOptions.alpn != null) {
      throw new IllegalArgumentException(
          "--alpn: a WebSocket server agrees on http/1.1 only, and does so by itself");
    }
    serverTls().check();
  }

  /** Whether --insecure was written out: -k alone means --keep-open with --listen. */
  private boolean insecureSpelledOut() {
    if (spec == null || spec.commandLine().getParseResult() == null) {
      return false;
    }
    for (String arg : spec.commandLine().getParseResult().originalArgs()) {
      if (arg.equals("--")) {
        return false;
      }
      if (arg.equals("--insecure")) {
        return true;
      }
    }
    return false;
  }

  /** The server's TLS options for --listen, as serve and listen have them. */
  ServerTlsOptions serverTls() {
    return ServerTlsOptions.of(tls, tlsOptions.certificate, tlsOptions.key);
  }

  /** The -H fields, with an Authorization for the credentials unless -H gave one (as curl). */
  private static List<Headers.Field> withCredentials(
      List<Headers.Field> fields, Optional<BasicAuth.Credentials> credentials) {
    if (credentials.isEmpty()
        || fields.stream().anyMatch(f -> f.name().equalsIgnoreCase("Authorization"))) {
      return fields;
    }
    var all = new ArrayList<>(fields);
    all.add(new Headers.Field("Authorization", credentials.get().authorization()));
    return List.copyOf(all);
  }

  static URI parseUrl(String text) {
    // ws:// is assumed where no scheme is given, as get assumes http://.
    URI uri = Urls.parse(text, "ws");
    if (HttpUrl.defaultPort(uri.getScheme()) < 0 || !HttpUrl.of(uri).isWebSocket()) {
      throw new IllegalArgumentException(
          "the URL must start with ws:// (or wss://), got '" + text + "'");
    }
    if (uri.getRawFragment() != null) {
      // RFC 6455 §3: a fragment means nothing to a WebSocket and must not be used.
      throw new IllegalArgumentException("a WebSocket URL has no #fragment: '" + text + "'");
    }
    return uri;
  }

  static boolean isSecure(URI uri) {
    return HttpUrl.of(uri).isSecure();
  }

  static Headers.Field parseHeader(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--header takes 'NAME: VALUE', got '" + text + "'");
    }
    String name = text.substring(0, colon).trim();
    String value = text.substring(colon + 1).trim();
    if (!Tokens.isToken(name)) {
      throw new IllegalArgumentException("not a header name: '" + name + "'");
    }
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a header value cannot hold a line break: " + name);
    }
    if (HANDSHAKE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          name + " is set by the handshake itself (see --subprotocol and --deflate)");
    }
    return new Headers.Field(name, value);
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    PrintWriter err = spec.commandLine().getErr();
    var story = new Story(err, "ws", options.verbose());
    // Before any thread starts: a certificate that cannot be used is the whole answer.
    Optional<TlsServerConfig> serverTls =
        options.tls() ? Optional.of(loadServerTls(options, story)) : Optional.empty();
    Optional<TlsClientConfig> clientTls = Optional.empty();
    if (options.url().isPresent() && isSecure(options.url().get())) {
      // A WebSocket handshake is HTTP/1.1: offered by ALPN, as browsers do for wss://.
      clientTls = Optional.of(tlsOptions.config(List.of("http/1.1"), story::announce));
    }
    var sink = new StdoutSink(out);
    MessageOutput output =
        options.jsonl()
            ? MessageOutput.jsonLines(sink)
            : MessageOutput.plain(sink, options.binary());
    // With -k, a Close at the end of stdin would hang up on every later peer at once: a Close
    // ends both directions, unlike the FIN that wharf listen -k sends.
    boolean closeAtStdinEnd = options.exitAfter() == 0 && !options.keepOpen();
    var settings =
        new MessagePipe.Settings(
            options.binary(), closeAtStdinEnd, options.exitAfter(), options.ping());
    var pipe = new MessagePipe(output, story, settings);
    var group = new EventLoopGroup(1, "wharf", true);
    WsGoingAway goingAway = WsGoingAway.install(pipe);
    try {
      if (options.listen().isPresent()) {
        return new WsListen(group, options, serverTls, pipe, story, in).run();
      }
      return new WsDial(group, options, clientTls, pipe, story, err, in).run();
    } finally {
      goingAway.close();
      group.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  /**
   * The server's TLS for --listen --tls. Where a self-signed certificate is, and how to trust it,
   * is always told (clients cannot connect without it); a given certificate only under -v.
   */
  private TlsServerConfig loadServerTls(Options options, Story story) throws Exception {
    List<String> names = ServerTlsOptions.namesFor(options.listen().orElseThrow().address().host());
    ServerTlsOptions.Loaded loaded = serverTls().load(names, List.of("http/1.1"));
    for (String line : loaded.describe(null, false)) {
      if (loaded.selfSigned()) {
        story.announce(line);
      } else {
        story.tell(line);
      }
    }
    return loaded.config();
  }
}
