package dev.wharf.cli.socket;

import dev.wharf.cli.Endpoints;
import dev.wharf.cli.Failures;
import dev.wharf.cli.Seconds;
import dev.wharf.cli.Story;
import dev.wharf.cli.Target;
import dev.wharf.cli.io.DatagramPipe;
import dev.wharf.cli.io.Stdin;
import dev.wharf.cli.io.StdinPump;
import dev.wharf.cli.io.StdoutSink;
import dev.wharf.cli.io.StreamPipe;
import dev.wharf.cli.tls.ClientTlsOptions;
import dev.wharf.cli.tls.TlsStory;
import dev.wharf.core.Client;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Protocol;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Timeouts;
import dev.wharf.core.Transport;
import dev.wharf.core.tls.TlsProtocol;
import dev.wharf.core.tls.TlsSession;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf connect}: netcat's connecting side. */
@Command(
    name = "connect",
    mixinStandardHelpOptions = true,
    description = {
      "Connects and joins the socket to stdin and stdout. At the end of stdin our output is shut"
          + " down (FIN) and reading goes on until the peer closes; then it exits 0. When the"
          + " peer shuts its output down first, the rest of a regular file on stdin is still sent;"
          + " with a pipe or a terminal, what it already holds is sent and the session ends there.",
      "With --udp, each read from stdin goes out as one datagram; UDP has no close, so after"
          + " stdin ends it runs until interrupted, or with -w until no datagram came for that"
          + " long. A peer that refuses datagrams (ICMP port unreachable) ends it with exit 1, as"
          + " ncat does.",
      "With --tls, the connection speaks TLS (TCP or --unix); the server's certificate is"
          + " checked against the system's CAs (or --cacert, --pin) and the host name (or"
          + " --servername), and -v tells the handshake: version, cipher, ALPN, certificate, time."
    })
public final class ConnectCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin SocketArgs socket = new SocketArgs();

  @Option(
      names = "--tls",
      description =
          "Speak TLS (as ncat --ssl) over TCP or --unix, checking the server's certificate"
              + " against the system's CAs and the host name unless told otherwise.")
  boolean tls;

  @Mixin ClientTlsOptions tlsOptions = new ClientTlsOptions();

  @Option(
      names = "-z",
      description = "Only check that the port accepts a connection, then close it.")
  boolean scanOnly;

  @Option(
      names = {"-w", "--timeout"},
      paramLabel = "SECONDS",
      description =
          "Connect timeout (default: 10). With --udp, also how long to wait for replies after"
              + " stdin ends.")
  Double timeoutSeconds;

  @Parameters(
      arity = "0..2",
      paramLabel = "[HOST PORT]",
      hideParamSyntax = true,
      description = "Where to connect (or HOST:PORT, IPv6 as [::1]:80).")
  List<String> args = new ArrayList<>();

  InputStream in = new FileInputStream(FileDescriptor.in);
  OutputStream out = new FileOutputStream(FileDescriptor.out);

  /**
   * What the command line asked for.
   *
   * @param timeout the -w timeout, or {@link Duration#ZERO} when none was given
   */
  record Options(Target target, boolean scanOnly, Duration timeout, boolean verbose) {}

  /** Parses and checks the arguments; starts nothing. */
  public Options options() {
    Target target = socket.clientTarget(args);
    Duration timeout = timeoutSeconds == null ? Duration.ZERO : Seconds.of("-w", timeoutSeconds);
    if (scanOnly && target.transport() == Transport.UDP) {
      throw new IllegalArgumentException("-z checks TCP and Unix ports only");
    }
    if (!tls && tlsOptions.anyGiven()) {
      throw new IllegalArgumentException(tlsOptions.firstGiven() + " goes with --tls");
    }
    if (tls && target.transport() == Transport.UDP) {
      throw new IllegalArgumentException("--tls works over TCP and --unix, not --udp");
    }
    if (tls) {
      tlsOptions.checked();
    }
    return new Options(target, scanOnly, timeout, socket.verbose);
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    var story = new Story(spec.commandLine().getErr(), "connect", options.verbose());
    var group = new EventLoopGroup(1, "wharf", true);
    try {
      if (options.target() instanceof Target.Inet inet && inet.transport() == Transport.UDP) {
        return connectDatagrams(group, inet, options, story);
      }
      return connectStream(group, options, story);
    } finally {
      group.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  private int connectStream(EventLoopGroup group, Options options, Story story) throws Exception {
    List<? extends SocketAddress> candidates =
        switch (options.target()) {
          case Target.Unix unix -> List.of(UnixDomainSocketAddress.of(unix.path()));
          case Target.Inet inet -> Endpoints.resolve(inet.address(), inet.family(), story);
        };
    Timeouts timeouts = Timeouts.INTERACTIVE;
    if (!options.timeout().isZero()) {
      timeouts = timeouts.withConnect(options.timeout());
    }
    SocketOptions socketOptions = SocketOptions.DEFAULTS;
    if (options.target() instanceof Target.Inet) {
      story.options(socketOptions);
    }
    Client.Builder builder = Client.builder(group).options(socketOptions).timeouts(timeouts);
    if (tls) {
      builder.layer(TlsProtocol.clientLayer(tlsOptions.config(List.of(), story::announce)));
    }
    Client client = builder.build();
    // The name TLS asks for and checks: the host as given (a Unix socket's server is localhost).
    String host =
        options.target() instanceof Target.Inet inet ? inet.address().host() : "localhost";
    long started = System.nanoTime();
    if (options.scanOnly()) {
      return scan(client, host, candidates, options.target(), started, story);
    }
    var pipe =
        new StreamPipe(
            new StdoutSink(out),
            story,
            false,
            Stdin.isRegularFile(),
            () -> {},
            () -> Stdin.waiting(in));
    pipe.connectStarted(started);
    client.connect(host, candidates, pipe.newProtocol()).get();
    new StdinPump(in, StdinPump.STREAM_CHUNK, pipe).start();
    CloseReason reason = pipe.finished().get();
    return Failures.exitCode(reason);
  }

  private int scan(
      Client client,
      String host,
      List<? extends SocketAddress> candidates,
      Target target,
      long started,
      Story story)
      throws Exception {
    Connection connection = client.connect(host, candidates, new Probe()).get();
    long elapsed = System.nanoTime() - started;
    story.tell(
        "connected to "
            + Story.format(connection.remoteAddress())
            + " from "
            + Story.format(connection.localAddress())
            + " in "
            + Story.millis(elapsed));
    TlsSession.of(connection).ifPresent(session -> story.tell(TlsStory.describe(session, true)));
    connection.close();
    story.tellPlain(
        switch (target) {
          case Target.Inet inet ->
              "Connection to "
                  + inet.address().host()
                  + " "
                  + inet.address().port()
                  + " port [tcp] succeeded!";
          case Target.Unix unix -> "Connection to " + unix.path() + " [unix] succeeded!";
        });
    return 0;
  }

  private int connectDatagrams(
      EventLoopGroup group, Target.Inet target, Options options, Story story) throws Exception {
    InetSocketAddress peer = Endpoints.resolve(target.address(), target.family(), story).getFirst();
    var pipe = new DatagramPipe(new StdoutSink(out), story);
    try (DatagramEndpoint endpoint = Endpoints.bindDatagramFor(group, peer, pipe)) {
      endpoint.connect(peer);
      story.tell(
          "sending datagrams to "
              + Story.format(peer)
              + " from "
              + Story.format(endpoint.localAddress()));
      pipe.start(endpoint, peer);
      new StdinPump(in, ListenCommand.DATAGRAM_CHUNK, pipe).start();
      CompletableFuture<?> end = pipe.failed();
      if (!options.timeout().isZero()) {
        end =
            CompletableFuture.anyOf(
                end, pipe.stdinEnded().thenCompose(ignored -> quiet(pipe, options.timeout())));
      }
      if (end.get() instanceof Exception e) {
        throw e;
      }
      return 0;
    }
  }

  /** Completes once no datagram has come for {@code quiet}. */
  private static CompletableFuture<Void> quiet(DatagramPipe pipe, Duration quiet) {
    var done = new CompletableFuture<Void>();
    Thread.ofVirtual()
        .name("wharf-quiet")
        .start(
            () -> {
              long stdinEndedAt = System.nanoTime();
              try {
                long left;
                while ((left =
                        Math.max(stdinEndedAt, pipe.lastReceivedNanos())
                            + quiet.toNanos()
                            - System.nanoTime())
                    > 0) {
                  TimeUnit.NANOSECONDS.sleep(left);
                }
                done.complete(null);
              } catch (InterruptedException e) {
                done.completeExceptionally(e);
              }
            });
    return done;
  }

  /** The protocol of {@code -z}: says nothing, reads nothing; the peer's FIN closes it. */
  private static final class Probe implements Protocol {
    @Override
    public void received(Connection connection, ByteBuffer data) {}

    @Override
    public String name() {
      return "probe";
    }
  }
}
