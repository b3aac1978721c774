package dev.wharf.cli.socket;

import dev.wharf.cli.Endpoints;
import dev.wharf.cli.Failures;
import dev.wharf.cli.Story;
import dev.wharf.cli.Target;
import dev.wharf.cli.io.DatagramPipe;
import dev.wharf.cli.io.Stdin;
import dev.wharf.cli.io.StdinPump;
import dev.wharf.cli.io.StdoutSink;
import dev.wharf.cli.io.StreamPipe;
import dev.wharf.cli.tls.ServerTlsOptions;
import dev.wharf.core.CloseReason;
import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Transport;
import dev.wharf.core.tls.TlsServerConfig;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf listen}: netcat's listening side. */
@Command(
    name = "listen",
    mixinStandardHelpOptions = true,
    description = {
      "Accepts one connection and joins it to stdin and stdout; exits when the peer closes.",
      "At the end of stdin our output is shut down (FIN) and reading goes on until the peer"
          + " closes. When the peer shuts its output down first, the rest of a regular file on"
          + " stdin is still sent; with a pipe or a terminal, what it already holds is sent and the"
          + " session ends there.",
      "With -k, connections are served one at a time, as nc -lk does: the next waits, accepted"
          + " but unread, until the current one ends.",
      "With --udp, datagrams go to stdout and stdin goes to whoever sent the last datagram;"
          + " UDP has no close, so it runs until interrupted.",
      "With --tls (TCP or --unix), connections speak TLS, as ncat --ssl; a client whose"
          + " handshake fails is not served and the next is awaited. -v tells each handshake:"
          + " version, cipher, ALPN, the name the client asked for (SNI), its certificate, time."
    })
public final class ListenCommand implements Callable<Integer> {
  /** Read size for stdin over UDP: each read becomes one datagram, as in OpenBSD nc. */
  static final int DATAGRAM_CHUNK = 16 * 1024;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin SocketArgs socket = new SocketArgs();

  @Mixin ServerTlsOptions tls = new ServerTlsOptions();

  @Option(
      names = {"-k", "--keep-open"},
      description = "After a connection ends, serve the next one (one at a time).")
  boolean keepOpen;

  @Parameters(
      arity = "0..1",
      paramLabel = "[HOST:]PORT",
      description = "Where to listen; HOST defaults to all interfaces. IPv6 as [::1]:8000.")
  String address;

  InputStream in = new FileInputStream(FileDescriptor.in);
  OutputStream out = new FileOutputStream(FileDescriptor.out);

  /** What the command line asked for. */
  record Options(Target target, boolean keepOpen, boolean verbose) {}

  /** Parses and checks the arguments; starts nothing. */
  public Options options() {
    Target target = socket.serverTarget(address);
    tls.check();
    if (tls.enabled() && target.transport() == Transport.UDP) {
      throw new IllegalArgumentException("--tls works over TCP and --unix, not --udp");
    }
    return new Options(target, keepOpen, socket.verbose);
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    var story = new Story(spec.commandLine().getErr(), "listen", options.verbose());
    var group = new EventLoopGroup(1, "wharf", true);
    try {
      if (options.target() instanceof Target.Inet inet && inet.transport() == Transport.UDP) {
        return listenDatagrams(group, inet, story);
      }
      return listenStream(group, options, story);
    } finally {
      group.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  private int listenStream(EventLoopGroup group, Options options, Story story) throws Exception {
    var serverReady = new CompletableFuture<Server>();
    Runnable onFirst = options.keepOpen() ? () -> {} : () -> serverReady.thenAccept(Server::close);
    var pipe =
        new StreamPipe(
            new StdoutSink(out),
            story,
            options.keepOpen(),
            Stdin.isRegularFile(),
            onFirst,
            () -> Stdin.waiting(in));
    TlsServerConfig tlsConfig = tls.enabled() ? loadTls(options.target(), story) : null;
    Server server =
        Endpoints.bindStream(
            group,
            options.target(),
            SocketOptions.DEFAULTS,
            "listen",
            tlsConfig,
            pipe::newProtocol,
            story);
    serverReady.complete(server);
    new StdinPump(in, StdinPump.STREAM_CHUNK, pipe).start();
    try {
      CloseReason reason = pipe.finished().get();
      return Failures.exitCode(reason);
    } finally {
      server.close();
    }
  }

  /**
   * The server's TLS. Where its self-signed certificate is, and how to trust it, is always told
   * (clients cannot connect without it); a given certificate only under -v.
   */
  private TlsServerConfig loadTls(Target target, Story story) throws Exception {
    List<String> names =
        target instanceof Target.Inet inet
            ? ServerTlsOptions.namesFor(inet.address().host())
            : List.of();
    ServerTlsOptions.Loaded loaded = tls.load(names, List.of());
    PrintWriter err = spec.commandLine().getErr();
    for (String line : loaded.describe(null, false)) {
      if (loaded.selfSigned()) {
        err.println("wharf listen: " + line);
      } else {
        story.tell(line);
      }
    }
    err.flush();
    return loaded.config();
  }

  private int listenDatagrams(EventLoopGroup group, Target.Inet target, Story story)
      throws Exception {
    var pipe = new DatagramPipe(new StdoutSink(out), story);
    try (DatagramEndpoint endpoint = Endpoints.bindDatagram(group, target, "listen", pipe, story)) {
      pipe.start(endpoint, null);
      new StdinPump(in, DATAGRAM_CHUNK, pipe).start();
      // UDP has no end: run until interrupted, or until stdout is gone.
      throw pipe.failed().get();
    }
  }
}
