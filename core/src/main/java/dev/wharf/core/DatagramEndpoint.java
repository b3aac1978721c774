package dev.wharf.core;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectionKey;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP socket on an event loop: bound to a local address, optionally connected to one peer (then
 * it only exchanges datagrams with that peer, and ICMP errors such as "port unreachable" are
 * reported), with multicast group membership.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread. Datagrams the kernel cannot take at
 * once wait in a bounded queue; past its limit they are dropped and counted, as UDP may.
 */
public final class DatagramEndpoint implements AutoCloseable {
  private static final System.Logger LOG = LazyLogger.of(DatagramEndpoint.class);
  private static final int MAX_DATAGRAM = 65_535;
  private static final int MAX_QUEUED = 1024;
  private static final int MAX_RECEIVES_PER_EVENT = 64;

  /** Configures and binds a {@link DatagramEndpoint}. */
  public static final class Builder {
    private final EventLoopGroup group;
    private SocketOptions options = SocketOptions.DEFAULTS.withReuseAddress(false);
    private ProtocolFamily family;
    private String name = "";

    private Builder(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
    }

    public Builder options(SocketOptions value) {
      this.options = Objects.requireNonNull(value);
      return this;
    }

    /** IPv4 or IPv6 (needed for multicast on a wildcard address); by default the JDK's choice. */
    public Builder family(StandardProtocolFamily value) {
      this.family = Objects.requireNonNull(value);
      return this;
    }

    public Builder name(String value) {
      this.name = Objects.requireNonNull(value);
      return this;
    }

    /** Binds to {@code local} (port 0 picks a free port) and starts receiving. */
    public DatagramEndpoint bind(SocketAddress local, DatagramHandler handler) throws IOException {
      return new DatagramEndpoint(this, local, handler);
    }
  }

  public static Builder builder(EventLoopGroup group) {
    return new Builder(group);
  }

  private record Outgoing(ByteBuffer data, SocketAddress target) {}

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final DatagramChannel channel;
  private final DatagramHandler handler;
  private final SocketAddress localAddress;
  private final String name;
  private final Instant since = Instant.now();
  private final SocketRegistry.Listening listening;
  private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
  private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile SocketAddress connectedTo;
  private SelectionKey key;

  private DatagramEndpoint(Builder builder, SocketAddress local, DatagramHandler handler)
      throws IOException {
    this.group = builder.group;
    this.loop = group.next();
    this.handler = Objects.requireNonNull(handler, "handler");
    this.name = builder.name;
    this.channel =
        builder.family == null ? DatagramChannel.open() : DatagramChannel.open(builder.family);
    try {
      channel.configureBlocking(false);
      SocketOptionsApplier.beforeBind(channel, builder.options);
      SocketOptionsApplier.onDatagram(channel, builder.options);
      channel.bind(local);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw BindErrors.explain(e, local);
    }
    this.localAddress = channel.getLocalAddress();
    this.listening =
        new SocketRegistry.Listening() {
          @Override
          public ListenerInfo info() {
            return new ListenerInfo(Transport.UDP, localAddress, name, since);
          }

          @Override
          public void close() {
            DatagramEndpoint.this.close();
          }
        };
    group.registry().add(listening);
    loop.execute(
        () -> {
          try {
            key = loop.register(channel, SelectionKey.OP_READ, this::ready);
          } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot register datagram endpoint " + localAddress, e);
            close();
          }
        });
  }

  public SocketAddress localAddress() {
    return localAddress;
  }

  /**
   * The loop this endpoint's handler runs on: a timer scheduled there runs one at a time with the
   * handler's calls, and may {@link #close} the endpoint without waiting for another loop.
   */
  public EventLoop loop() {
    return loop;
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) localAddress).getPort();
  }

  /**
   * Restricts the endpoint to one peer: only its datagrams are received and {@link
   * #send(ByteBuffer)} goes to it.
   */
  public void connect(SocketAddress peer) throws IOException {
    channel.connect(peer);
    connectedTo = peer;
  }

  /** The peer this endpoint is connected to, if any. */
  public java.util.Optional<SocketAddress> connectedTo() {
    return java.util.Optional.ofNullable(connectedTo);
  }

  /** Sends a copy of the buffer's remaining bytes to {@code target}; any thread. */
  public void send(ByteBuffer data, SocketAddress target) {
    Objects.requireNonNull(target, "target");
    ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
    if (loop.inEventLoop()) {
      sendOnLoop(new Outgoing(copy, target));
    } else {
      loop.execute(() -> sendOnLoop(new Outgoing(copy, target)));
    }
  }

  /**
   * Sends to the connected peer. An empty datagram cannot be sent there (the JDK's connected
   * channel skips it) and is counted as dropped.
   */
  public void send(ByteBuffer data) {
    SocketAddress peer = connectedTo;
    if (peer == null) {
      throw new IllegalStateException("not connected: give a target address");
    }
    send(data, peer);
  }

  /** Joins a multicast group on an interface. */
  public MembershipKey join(InetAddress multicastGroup, NetworkInterface networkInterface)
      throws IOException {
    channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, networkInterface);
    return channel.join(multicastGroup, networkInterface);
  }

  /** Leaves a group joined with {@link #join}. */
  public void leave(MembershipKey membership) {
    membership.drop();
  }

  /** Whether our own multicast datagrams loop back to us (on by default). */
  public void multicastLoopback(boolean on) throws IOException {
    channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
  }

  public long receivedCount() {
    return received.get();
  }

  public long sentCount() {
    return sent.get();
  }

  /** Datagrams dropped because the send queue was full or the kernel refused them. */
  public long droppedCount() {
    return dropped.get();
  }

  public boolean isOpen() {
    return !closed.isDone();
  }

  @Override
  public void close() {
    if (closed.isDone()) {
      return;
    }
    group.registry().remove(listening);
    Runnable close =
        () -> {
          if (closed.isDone()) {
            return;
          }
          if (key != null) {
            key.cancel();
          }
          try {
            channel.close();
          } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing datagram endpoint", e);
          }
          closed.complete(null);
          try {
            handler.closed(this);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "datagram handler failed in closed()", e);
          }
        };
    if (loop.inEventLoop()) {
      close.run();
    } else {
      loop.execute(close);
      try {
        closed.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.log(Level.WARNING, "datagram endpoint did not close in time", e);
      }
    }
  }

  private void sendOnLoop(Outgoing outgoing) {
    if (closed.isDone()) {
      dropped.incrementAndGet();
      return;
    }
    if (!queue.isEmpty()) {
      enqueue(outgoing);
      return;
    }
    if (!trySend(outgoing)) {
      enqueue(outgoing);
    }
  }

  private void enqueue(Outgoing outgoing) {
    if (queue.size() >= MAX_QUEUED) {
      dropped.incrementAndGet();
      return;
    }
    queue.add(outgoing);
    if (key != null && key.isValid()) {
      key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
  }

  /** True when the datagram is gone (sent, or refused for good and counted as dropped). */
  private boolean trySend(Outgoing outgoing) {
    try {
      boolean toPeer = connectedTo != null && outgoing.target().equals(connectedTo);
      if (toPeer && !outgoing.data().hasRemaining()) {
        // A connected DatagramChannel writes nothing for an empty buffer, send() included (both
        // return 0 without a system call): count it as dropped rather than as sent.
        dropped.incrementAndGet();
        return true;
      }
      int n =
          toPeer
              ? channel.write(outgoing.data())
              : channel.send(outgoing.data(), outgoing.target());
      if (n == 0 && outgoing.data().hasRemaining()) {
        return false;
      }
      sent.incrementAndGet();
    } catch (IOException e) {
      // UDP is unreliable by contract: a refused datagram (ICMP port unreachable) is dropped,
      // and the handler told.
      LOG.log(Level.DEBUG, () -> "datagram to " + outgoing.target() + " failed: " + e);
      dropped.incrementAndGet();
      tellUnreachable(outgoing.target(), e);
    }
    return true;
  }

  private void ready(SelectionKey readyKey) {
    if ((readyKey.readyOps() & SelectionKey.OP_WRITE) != 0) {
      while (!queue.isEmpty() && trySend(queue.peek())) {
        queue.poll();
      }
      if (queue.isEmpty() && readyKey.isValid()) {
        readyKey.interestOps(SelectionKey.OP_READ);
      }
    }
    if ((readyKey.readyOps() & SelectionKey.OP_READ) != 0) {
      receive();
    }
  }

  private void receive() {
    for (int i = 0; i < MAX_RECEIVES_PER_EVENT && !closed.isDone(); i++) {
      receiveBuffer.clear();
      SocketAddress sender;
      try {
        sender = channel.receive(receiveBuffer);
      } catch (IOException e) {
        // On a connected socket an earlier send's ICMP error surfaces here: tell the handler,
        // keep receiving.
        LOG.log(Level.DEBUG, () -> "receive on " + localAddress + ": " + e);
        SocketAddress peer = connectedTo;
        if (peer != null) {
          tellUnreachable(peer, e);
        }
        continue;
      }
      if (sender == null) {
        return;
      }
      received.incrementAndGet();
      receiveBuffer.flip();
      try {
        handler.received(this, receiveBuffer, sender);
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "datagram handler failed on a datagram from " + sender, t);
      }
    }
  }

  private void tellUnreachable(SocketAddress peer, IOException error) {
    try {
      handler.unreachable(this, peer, error);
    } catch (RuntimeException t) {
      LOG.log(Level.WARNING, "datagram handler failed on an ICMP error from " + peer, t);
    }
  }

  @Override
  public String toString() {
    return "udp " + localAddress;
  }
}
