package dev.wharf.core;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Opens stream connections: TCP to a host name or address, or Unix-domain to a socket file.
 *
 * <p>A host name is resolved (by the {@link NameResolver}, on a virtual thread, as resolution
 * blocks) to all its addresses, IPv4 and IPv6, and each is tried in turn, each with the connect
 * timeout, until one answers. The failure of the last is reported, with the others attached as
 * suppressed exceptions. A {@link ConnectListener} given to a connect hears each step.
 *
 * <p>Thread-safe and reusable.
 */
public final class Client {

  /**
   * Stands between the transport and the protocol of every connection the client opens, as a
   * handler at the head of Netty's pipeline: the transport drives what {@link #wrap} returns, which
   * gives {@code application} a connection of its own, and the connect completes when that layer
   * says the connection is {@linkplain Layered#ready ready}. TLS is one (the TLS package makes it);
   * the transport knows nothing of what a layer does.
   */
  @FunctionalInterface
  public interface Layer {
    /**
     * The protocol the transport drives for one connection to {@code host} (the name asked for, or
     * an address literal; {@code localhost} for a Unix socket) at {@code port} (0 for a Unix
     * socket), in front of {@code application}.
     */
    Layered wrap(Protocol application, String host, int port);
  }

  /** The protocol a {@link Layer} puts on the transport. */
  public interface Layered extends Protocol {
    /**
     * Completes with the application's view of the connection once the application has been opened
     * (after a TLS handshake, say); fails with why if the connection closes first.
     */
    CompletableFuture<Connection> ready();
  }

  /** Configures a {@link Client}. */
  public static final class Builder extends ConnectionSettingsBuilder<Builder> {
    private Layer layer;
    private NameResolver resolver = NameResolver.SYSTEM;

    private Builder(EventLoopGroup group) {
      super(group);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * Puts a layer (TLS, say) between the transport and every connection's protocol: a connect
     * completes once the layer is ready, with the connection it gives the protocol, or fails with
     * why it did not get ready.
     */
    public Builder layer(Layer value) {
      this.layer = Objects.requireNonNull(value);
      return this;
    }

    /** How host names become addresses; the system's resolver by default. */
    public Builder resolver(NameResolver value) {
      this.resolver = Objects.requireNonNull(value);
      return this;
    }

    public Client build() {
      return new Client(this);
    }
  }

  public static Builder builder(EventLoopGroup group) {
    return new Builder(group);
  }

  private final EventLoopGroup group;
  private final ConnectionSettings settings;
  private final Layer layer;
  private final NameResolver resolver;

  private Client(Builder builder) {
    this.group = builder.group;
    this.layer = builder.layer;
    this.resolver = builder.resolver;
    this.settings = builder.settings();
  }

  /** Resolves {@code host} and connects to the first of its addresses that answers. */
  public CompletableFuture<Connection> connect(String host, int port, Protocol protocol) {
    return connect(host, port, protocol, ConnectListener.NONE);
  }

  /**
   * Resolves {@code host} and connects to the first of its addresses that answers, telling {@code
   * listener} each step. The one place where a client resolves: on a virtual thread, as the
   * resolver may block.
   */
  public CompletableFuture<Connection> connect(
      String host, int port, Protocol protocol, ConnectListener listener) {
    Objects.requireNonNull(listener, "listener");
    var result = new CompletableFuture<Connection>();
    Thread.ofVirtual()
        .name("wharf-resolve-" + host)
        .start(
            () -> {
              List<InetSocketAddress> candidates;
              try {
                listener.resolveStarted(host);
                candidates = resolver.resolve(host, port);
                listener.resolved(host, candidates);
              } catch (UnknownHostException | RuntimeException e) {
                // A port out of range too: failed here, it fails the connect, not this thread.
                result.completeExceptionally(e);
                return;
              }
              connect(host, candidates, protocol, listener).whenComplete(Client.forward(result));
            });
    return result;
  }

  /** Connects to a resolved IP address or a Unix-domain socket path. */
  public CompletableFuture<Connection> connect(SocketAddress address, Protocol protocol) {
    if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
      return connect(inet.getHostString(), inet.getPort(), protocol);
    }
    return connect(List.of(address), protocol);
  }

  /**
   * Tries each address in order until one answers. The host a {@link Layer} is told (the name TLS
   * asks for and checks) is the first address's host (the name it was resolved from, or the address
   * itself; {@code localhost} for a Unix socket); {@link #connect(String, List, Protocol)} names it
   * explicitly.
   */
  public CompletableFuture<Connection> connect(
      List<? extends SocketAddress> candidates, Protocol protocol) {
    String serverName =
        !candidates.isEmpty() && candidates.getFirst() instanceof InetSocketAddress inet
            ? inet.getHostString()
            : "localhost";
    return connect(serverName, candidates, protocol);
  }

  /**
   * Tries each address of {@code host} in order until one answers; {@code host} is what a {@link
   * Layer} is told (under TLS, the name asked for by SNI and checked against the certificate).
   */
  public CompletableFuture<Connection> connect(
      String host, List<? extends SocketAddress> candidates, Protocol protocol) {
    return connect(host, candidates, protocol, ConnectListener.NONE);
  }

  /** As {@link #connect(String, List, Protocol)}, telling {@code listener} each step. */
  public CompletableFuture<Connection> connect(
      String host,
      List<? extends SocketAddress> candidates,
      Protocol protocol,
      ConnectListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (candidates.isEmpty()) {
      return CompletableFuture.failedFuture(new ConnectException("no address to connect to"));
    }
    var attempt = new Attempt(group.next(), host, List.copyOf(candidates), protocol, listener);
    try {
      attempt.loop.execute(attempt::next);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      return CompletableFuture.failedFuture(
          new java.io.IOException("cannot connect: the event loop group has shut down", stopped));
    }
    return attempt.result;
  }

  private static <T> java.util.function.BiConsumer<T, Throwable> forward(CompletableFuture<T> to) {
    return (value, error) -> {
      if (error != null) {
        to.completeExceptionally(error);
      } else {
        to.complete(value);
      }
    };
  }

  /** One connect, moving through the candidate addresses on one loop. */
  private final class Attempt implements EventLoop.Handler {
    final EventLoop loop;
    final String host;
    final List<SocketAddress> candidates;
    final Protocol protocol;
    final ConnectListener listener;
    final CompletableFuture<Connection> result = new CompletableFuture<>();
    final List<IOException> failures = new ArrayList<>();
    int index = -1;
    SocketChannel channel;
    SelectionKey key;
    Cancellable timeout;

    Attempt(
        EventLoop loop,
        String host,
        List<SocketAddress> candidates,
        Protocol protocol,
        ConnectListener listener) {
      this.loop = loop;
      this.host = host;
      this.candidates = candidates;
      this.protocol = protocol;
      this.listener = listener;
    }

    void next() {
      index++;
      if (index == candidates.size()) {
        IOException last = failures.getLast();
        for (int i = 0; i < failures.size() - 1; i++) {
          last.addSuppressed(failures.get(i));
        }
        result.completeExceptionally(last);
        return;
      }
      SocketAddress address = candidates.get(index);
      try {
        listener.connectStarted(address);
        channel = open(address);
        if (channel.connect(address)) {
          established();
          return;
        }
        key = loop.register(channel, SelectionKey.OP_CONNECT, this);
        long millis = settings.timeouts().connect().toMillis();
        if (millis > 0) {
          timeout =
              loop.schedule(
                  settings.timeouts().connect(),
                  () ->
                      failed(
                          new ConnectionTimeoutException(
                              "connect timed out after "
                                  + Durations.format(settings.timeouts().connect())
                                  + ": "
                                  + BindErrors.describe(address))));
        }
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }

    /** {@link #ready} threw an {@link Error} (the loop has logged it): try the next address. */
    @Override
    public void failed(SelectionKey readyKey, Throwable error) {
      failed(error);
    }

    private SocketChannel open(SocketAddress address) throws IOException {
      if (address instanceof UnixDomainSocketAddress) {
        SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
        unix.configureBlocking(false);
        return unix;
      }
      InetSocketAddress inet = (InetSocketAddress) address;
      SocketChannel tcp =
          SocketChannel.open(
              inet.getAddress() instanceof java.net.Inet6Address
                  ? StandardProtocolFamily.INET6
                  : StandardProtocolFamily.INET);
      tcp.configureBlocking(false);
      SocketOptionsApplier.onStream(tcp, settings.options());
      return tcp;
    }

    @Override
    public void ready(SelectionKey readyKey) {
      try {
        if (channel.finishConnect()) {
          established();
        }
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }

    private void established() throws IOException {
      if (timeout != null) {
        timeout.cancel();
      }
      SocketAddress address = candidates.get(index);
      Transport transport =
          address instanceof UnixDomainSocketAddress ? Transport.UNIX : Transport.TCP;
      listener.connected(channel.getLocalAddress(), address);
      if (layer == null) {
        result.complete(open(transport, protocol));
        return;
      }
      // The connect completes when the layer is ready (a TLS handshake has its own timeout).
      int port = address instanceof InetSocketAddress inet ? inet.getPort() : 0;
      Layered layered = layer.wrap(protocol, host, port);
      layered.ready().whenComplete(Client.forward(result));
      open(transport, layered);
    }

    /** A client's connection counts against no server's limit. */
    private StreamConnection open(Transport transport, Protocol speaking) throws IOException {
      return new StreamConnection(
              loop,
              channel,
              key,
              transport,
              ConnectionInfo.Side.CLIENT,
              settings,
              ConnectionLimit.NONE,
              speaking)
          .open();
    }

    private void failed(Throwable error) {
      if (result.isDone()) {
        return;
      }
      if (timeout != null) {
        timeout.cancel();
        timeout = null;
      }
      if (key != null) {
        key.cancel();
        key = null;
      }
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // The attempt has failed already.
      }
      IOException explained = ConnectErrors.explain(error, candidates.get(index));
      failures.add(explained);
      listener.connectFailed(candidates.get(index), explained);
      next();
    }
  }
}
