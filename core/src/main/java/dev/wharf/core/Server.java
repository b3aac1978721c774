package dev.wharf.core;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A listening stream socket, TCP or Unix-domain (the address decides), that accepts connections and
 * gives each a fresh {@link Protocol} on one of the group's loops.
 *
 * <pre>{@code
 * var server = Server.builder(group).bind(new InetSocketAddress(0), EchoProtocol::new);
 * int port = server.port();
 * }</pre>
 *
 * <p>Thread-safe. By default one socket accepts and spreads connections round-robin over the loops;
 * with {@link Builder#acceptorPerLoop} (SO_REUSEPORT) each loop has its own listening socket and
 * the kernel spreads them.
 */
public final class Server implements AutoCloseable {
  private static final System.Logger LOG = LazyLogger.of(Server.class);

  /** Accepts per ready event, so one busy listener cannot starve a loop's connections. */
  private static final int MAX_ACCEPTS_PER_EVENT = 64;

  /** How long accepting pauses after accept fails, or at the cap when nothing closes sooner. */
  private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

  /**
   * How long a connection must have gone without traffic to be closed for a new one: spares a
   * request whose answer is slow in coming.
   */
  private static final long MIN_QUIET_TO_EVICT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  /**
   * Stands between the transport and the protocol of every accepted connection, as a handler at the
   * head of Netty's pipeline: the transport drives what {@link #wrap} returns, which gives {@code
   * application} a connection of its own. TLS is one (the TLS package makes it); the transport
   * knows nothing of what a layer does.
   */
  @FunctionalInterface
  public interface Layer {
    /**
     * The protocol the transport drives for one accepted connection, in front of {@code
     * application}.
     */
    Protocol wrap(Protocol application);
  }

  /** Configures and binds a {@link Server}. */
  public static final class Builder extends ConnectionSettingsBuilder<Builder> {
    private boolean acceptorPerLoop;
    private int maxConnections;
    private String name = "";
    private Layer layer;

    private Builder(EventLoopGroup group) {
      super(group);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * One listening socket per loop with SO_REUSEPORT, so the kernel spreads connections and no
     * loop hands accepted sockets to another (TCP only).
     */
    public Builder acceptorPerLoop(boolean on) {
      this.acceptorPerLoop = on;
      return this;
    }

    /**
     * The most connections held at once (counted until each socket is closed). At the cap the
     * server stops accepting, so new clients wait in the kernel's backlog (or are refused once it
     * is full), and while they wait it closes its connections that have gone longest without
     * traffic (at least a second), one per loop at a time. Default: three quarters of the process's
     * descriptor limit (Linux's {@code /proc/self/limits}; 10,240 assumed elsewhere), keeping at
     * least 256 or half, so that accepting never uses up the descriptors that serving files and
     * logging need. Servers sharing a process share its descriptors: set it on each.
     */
    public Builder maxConnections(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, got " + value);
      }
      this.maxConnections = value;
      return this;
    }

    /** What the listener is called in the registry ({@code echo}, {@code http}). */
    public Builder name(String value) {
      this.name = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Puts a layer (TLS, say) between the transport and every accepted connection's protocol; the
     * protocols see the connection the layer gives them.
     */
    public Builder layer(Layer value) {
      this.layer = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Binds and starts accepting. {@code address} is an {@link InetSocketAddress} (port 0 picks a
     * free port) or a {@link UnixDomainSocketAddress}.
     *
     * @throws BindException if the address is in use or needs privileges
     */
    public Server bind(SocketAddress address, Supplier<? extends Protocol> protocols)
        throws IOException {
      return new Server(this, address, protocols);
    }
  }

  public static Builder builder(EventLoopGroup group) {
    return new Builder(group);
  }

  private final EventLoopGroup group;
  private final Transport transport;
  private final ConnectionSettings settings;
  private final ConnectionLimit limit;
  private final Supplier<? extends Protocol> protocols;
  private final List<Acceptor> acceptors = new ArrayList<>();
  private final SocketAddress boundAddress;
  private final Path unixPath;
  private final String name;
  private final Instant since = Instant.now();
  private final SocketRegistry.Listening listening;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private Server(Builder builder, SocketAddress address, Supplier<? extends Protocol> protocols)
      throws IOException {
    this.group = builder.group;
    Objects.requireNonNull(protocols, "protocols");
    Layer layer = builder.layer;
    this.protocols = layer == null ? protocols : () -> layer.wrap(protocols.get());
    this.settings = builder.settings();
    this.name = builder.name;
    this.limit =
        new ConnectionLimit(
            builder.maxConnections > 0 ? builder.maxConnections : ConnectionLimit.defaultMax(),
            this::roomMade);
    if (address instanceof UnixDomainSocketAddress unix) {
      this.transport = Transport.UNIX;
      this.unixPath = unix.getPath();
      removeStaleSocketFile(unixPath);
    } else if (address instanceof InetSocketAddress) {
      this.transport = Transport.TCP;
      this.unixPath = null;
    } else {
      throw new IllegalArgumentException("cannot listen on " + address);
    }
    int count = builder.acceptorPerLoop && transport == Transport.TCP ? group.loops().size() : 1;
    SocketOptions options = count > 1 ? builder.options.withReusePort(true) : builder.options;
    SocketAddress bindTo = address;
    try {
      for (int i = 0; i < count; i++) {
        ServerSocketChannel channel = openListener(bindTo, options);
        if (i == 0) {
          // Later acceptors bind the port the first one got (port 0 picks it once).
          bindTo = channel.getLocalAddress();
        }
        acceptors.add(new Acceptor(channel, count > 1 ? group.loops().get(i) : group.next()));
      }
    } catch (IOException | RuntimeException e) {
      acceptors.forEach(Acceptor::closeChannel);
      throw e;
    }
    this.boundAddress = bindTo;
    this.listening =
        new SocketRegistry.Listening() {
          @Override
          public ListenerInfo info() {
            return new ListenerInfo(transport, boundAddress, name, since);
          }

          @Override
          public void close() {
            Server.this.close();
          }
        };
    group.registry().add(listening);
    acceptors.forEach(Acceptor::start);
  }

  private ServerSocketChannel openListener(SocketAddress address, SocketOptions options)
      throws IOException {
    ServerSocketChannel channel =
        transport == Transport.UNIX
            ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
            : ServerSocketChannel.open();
    try {
      channel.configureBlocking(false);
      if (transport == Transport.TCP) {
        SocketOptionsApplier.beforeBind(channel, options);
      }
      channel.bind(address, options.backlog());
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw BindErrors.explain(e, address);
    }
  }

  /**
   * A socket file left by a process that died is removed; one that answers is in use, and a file
   * that is not a socket is never touched.
   */
  private static void removeStaleSocketFile(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    int mode =
        (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    if ((mode & S_IFMT) != S_IFSOCK) {
      throw new BindException("address already in use: " + path + " exists and is not a socket");
    }
    boolean answers;
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(path));
      answers = true;
    } catch (IOException stale) {
      answers = false;
    }
    if (answers) {
      throw new BindException("address already in use: " + path + " (a server answers there)");
    }
    Files.deleteIfExists(path);
  }

  /** The bound address; for TCP, with the port the kernel chose when asked for port 0. */
  public SocketAddress localAddress() {
    return boundAddress;
  }

  /** The bound TCP port; throws for a Unix-domain server. */
  public int port() {
    if (boundAddress instanceof InetSocketAddress inet) {
      return inet.getPort();
    }
    throw new IllegalStateException("a Unix-domain server has no port: " + boundAddress);
  }

  public Transport transport() {
    return transport;
  }

  public boolean isOpen() {
    return !closed.isDone();
  }

  /** Completes when the listening sockets are closed. */
  public CompletableFuture<Void> closeFuture() {
    return closed;
  }

  /**
   * Stops accepting and closes the listening socket (and removes a Unix socket file). Open
   * connections are not touched: shut the group down to end them.
   */
  @Override
  public void close() {
    if (closed.isDone()) {
      return;
    }
    group.registry().remove(listening);
    var each = new ArrayList<CompletableFuture<Void>>();
    for (Acceptor acceptor : acceptors) {
      each.add(acceptor.stop());
    }
    CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, error) -> {
              if (unixPath != null) {
                try {
                  Files.deleteIfExists(unixPath);
                } catch (IOException e) {
                  LOG.log(Level.WARNING, "cannot remove socket file " + unixPath, e);
                }
              }
              closed.complete(null);
            });
    boolean onALoop = group.loops().stream().anyMatch(EventLoop::inEventLoop);
    if (!onALoop) {
      try {
        closed.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.log(Level.WARNING, "listener did not close in time: " + boundAddress, e);
      }
    }
  }

  /** The most connections this server holds at once. */
  public int maxConnections() {
    return limit.max();
  }

  /** How many connections this server holds now, lingering closes included. */
  public int connectionCount() {
    return limit.held();
  }

  /** A connection gave its slot back: accepting that paused at the cap may go on. */
  private void roomMade() {
    for (Acceptor acceptor : acceptors) {
      acceptor.resumeIfPausedAtCap();
    }
  }

  /**
   * Asks every loop to close its idlest connection of this server's (see {@link
   * Builder#maxConnections}).
   */
  private void makeRoom() {
    for (EventLoop each : group.loops()) {
      try {
        each.execute(() -> each.evictIdlest(limit, MIN_QUIET_TO_EVICT_NANOS));
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // That loop holds nothing any more.
      }
    }
  }

  @Override
  public String toString() {
    return "server " + transport.label() + " " + boundAddress;
  }

  /** Accepts on one listening socket, on one loop. */
  private final class Acceptor implements EventLoop.Handler {
    private final ServerSocketChannel channel;
    private final EventLoop loop;
    private SelectionKey key;
    private long lastErrorLog;

    /** Set when accepting paused at the cap; the first slot given back resumes it. */
    private final java.util.concurrent.atomic.AtomicBoolean pausedAtCap =
        new java.util.concurrent.atomic.AtomicBoolean();

    Acceptor(ServerSocketChannel channel, EventLoop loop) {
      this.channel = channel;
      this.loop = loop;
    }

    void start() {
      loop.execute(
          () -> {
            try {
              key = loop.register(channel, SelectionKey.OP_ACCEPT, this);
            } catch (IOException e) {
              LOG.log(Level.ERROR, "cannot register listener " + boundAddress, e);
              closeChannel();
            }
          });
    }

    CompletableFuture<Void> stop() {
      var done = new CompletableFuture<Void>();
      Runnable stop =
          () -> {
            if (key != null) {
              key.cancel();
            }
            closeChannel();
            try {
              loop.deregisterCancelledKeys(); // the port stops listening now, not a turn later
            } catch (IOException e) {
              LOG.log(Level.DEBUG, "deregistering the closed listener", e);
            }
            done.complete(null);
          };
      if (loop.inEventLoop()) {
        stop.run();
      } else {
        loop.execute(stop);
      }
      return done;
    }

    void closeChannel() {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing listener", e);
      }
    }

    @Override
    public void ready(SelectionKey readyKey) {
      for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
        if (!limit.tryAcquire()) {
          pauseAtCap();
          return;
        }
        SocketChannel accepted;
        try {
          accepted = channel.accept();
        } catch (java.nio.channels.ClosedChannelException closedMeanwhile) {
          limit.release();
          return; // A protocol closed the server while we were accepting: nothing to report.
        } catch (IOException e) {
          limit.release();
          backOff(e);
          return;
        }
        if (accepted == null) {
          limit.release();
          return;
        }
        EventLoop target = acceptors.size() > 1 ? loop : group.next();
        if (target == loop) {
          start(target, accepted);
        } else {
          try {
            target.execute(() -> start(target, accepted));
          } catch (java.util.concurrent.RejectedExecutionException stopped) {
            abandon(accepted, stopped);
          }
        }
      }
    }

    /**
     * Something in accepting threw what {@link #ready} does not expect (the loop has logged it):
     * the listener stays open, accepting pauses as after a failed accept.
     */
    @Override
    public void failed(SelectionKey readyKey, Throwable error) {
      pause();
    }

    /**
     * Every slot is taken and a client waits: stop accepting, so the kernel's backlog holds new
     * clients (and refuses them once full) rather than this loop spinning on a ready listener, and
     * close the idlest connections to make room. The first slot given back resumes accepting, and
     * so does a timer, in case none was idle enough to close.
     */
    private void pauseAtCap() {
      pausedAtCap.set(true);
      pause();
      makeRoom();
    }

    void resumeIfPausedAtCap() {
      if (pausedAtCap.compareAndSet(true, false)) {
        try {
          loop.execute(this::resume);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          // The listener has gone with its loop.
        }
      }
    }

    /**
     * accept() failed, most often for want of file descriptors (EMFILE, ENFILE): pause accepting
     * for a moment rather than spin on a listener that stays ready, and close idle connections,
     * which gives descriptors back.
     */
    private void backOff(IOException e) {
      long now = System.nanoTime();
      if (now - lastErrorLog > TimeUnit.SECONDS.toNanos(1)) {
        lastErrorLog = now;
        try {
          LOG.log(
              Level.WARNING,
              "accept on " + boundAddress + " failed: " + e.getMessage() + "; pausing");
        } catch (Throwable loggingFailed) {
          // Out of descriptors, logging may fail too; accepting must go on regardless.
        }
      }
      pause();
      makeRoom();
    }

    /** Stops accepting for {@link #ACCEPT_BACKOFF}; loop thread only. */
    private void pause() {
      if (key != null && key.isValid()) {
        key.interestOps(0);
        loop.schedule(ACCEPT_BACKOFF, this::resume);
      }
    }

    private void resume() {
      if (key != null && key.isValid()) {
        key.interestOps(SelectionKey.OP_ACCEPT);
      }
    }

    private void start(EventLoop target, SocketChannel accepted) {
      try {
        accepted.configureBlocking(false);
        if (transport == Transport.TCP) {
          SocketOptionsApplier.onStream(accepted, settings.options());
        }
        new StreamConnection(
                target,
                accepted,
                null,
                transport,
                ConnectionInfo.Side.SERVER,
                settings,
                limit,
                protocols.get())
            .open();
      } catch (Throwable e) {
        abandon(accepted, e);
      }
    }

    /** An accepted socket that never became a connection: close it and give its slot back. */
    private void abandon(SocketChannel accepted, Throwable why) {
      // A peer gone before we started is its doing; anything else (a failing protocol) is a bug.
      loop.survived(
          null, "could not start an accepted connection", why, why instanceof IOException);
      try {
        accepted.close();
      } catch (IOException ignored) {
        // Already failing; nothing more to do.
      }
      limit.release();
    }
  }
}
