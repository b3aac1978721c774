package dev.wharf.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sockets opened in known states on loopback and in a directory, for comparing a socket lister with
 * {@code ss}: a TCP listener with connections waiting to be accepted, ESTABLISHED pairs with unread
 * and with unsent data, CLOSE-WAIT facing FIN-WAIT-2, TIME-WAIT, the same over IPv6, UDP bound and
 * connected, Unix stream (listener and pair) and a Unix datagram socket held by a Python process.
 * {@link #close} closes them all. Use from one thread.
 */
public final class KnownSockets implements AutoCloseable {
  /** How many connections wait in the listener's accept queue; its backlog is {@link #BACKLOG}. */
  public static final int WAITING = 3;

  public static final int BACKLOG = 8;
  public static final int UNREAD_BYTES = 1000;

  private final List<Channel> channels = new ArrayList<>();
  private final Set<Integer> tcpPorts = new TreeSet<>();
  private final Set<Integer> udpPorts = new TreeSet<>();
  private final Path dir;
  private ExternalProcess datagramHolder;
  private int timeWaitPort;

  private KnownSockets(Path dir) {
    this.dir = dir;
  }

  /** Opens them all, Unix socket files in {@code dir}; returns once each is in its state. */
  public static KnownSockets open(Path dir) throws IOException {
    var sockets = new KnownSockets(dir);
    try {
      sockets.openAll();
      return sockets;
    } catch (IOException | RuntimeException | Error e) {
      sockets.close();
      throw e;
    }
  }

  /** The TCP ports (listeners' and the TIME-WAIT server's) every TCP socket here has at one end. */
  public Set<Integer> tcpPorts() {
    return Set.copyOf(tcpPorts);
  }

  /** The ports of the UDP sockets opened here. */
  public Set<Integer> udpPorts() {
    return Set.copyOf(udpPorts);
  }

  /** Whether {@code socket} is one of these (by its ports or its Unix socket files). */
  public boolean isOurs(SsListing.Socket socket) {
    return switch (socket.netid()) {
      case "tcp" ->
          tcpPorts.contains(port(socket.local())) || tcpPorts.contains(port(socket.peer()));
      case "udp" ->
          udpPorts.contains(port(socket.local())) || udpPorts.contains(port(socket.peer()));
      default ->
          socket.local().startsWith(dir.toString()) || socket.peer().startsWith(dir.toString());
    };
  }

  private static int port(String endpoint) {
    String port = endpoint.substring(endpoint.lastIndexOf(':') + 1);
    return port.equals("*") ? 0 : Integer.parseInt(port);
  }

  private static StandardProtocolFamily family(String host) {
    return host.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
  }

  /** The directory of the Unix sockets' files. */
  public Path dir() {
    return dir;
  }

  /** The process holding the Unix datagram socket {@code dgram.sock}. */
  public long datagramHolderPid() {
    return datagramHolder.pid();
  }

  /** The listener whose accepted connection was closed first by its client (now TIME-WAIT). */
  public int timeWaitPort() {
    return timeWaitPort;
  }

  private <T extends Channel> T keep(T channel) {
    channels.add(channel);
    return channel;
  }

  private int listen(String host, int backlog) throws IOException {
    ServerSocketChannel server = keep(ServerSocketChannel.open(family(host)));
    server.bind(new InetSocketAddress(host, 0), backlog);
    int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    tcpPorts.add(port);
    return port;
  }

  private SocketChannel connect(String host, int port) throws IOException {
    SocketChannel channel = keep(SocketChannel.open(family(host)));
    channel.connect(new InetSocketAddress(host, port));
    return channel;
  }

  private void openAll() throws IOException {
    // A listener nobody accepts from: WAITING connections in its queue (ss: Recv-Q), BACKLOG its
    // limit (ss: Send-Q).
    int queued = listen("127.0.0.1", BACKLOG);
    for (int i = 0; i < WAITING; i++) {
      connect("127.0.0.1", queued);
    }
    pairs("127.0.0.1");
    pairs("::1");

    // TIME-WAIT: the side that closes first waits there (RFC 9293 §3.6); no process holds it.
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      timeWaitPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
      tcpPorts.add(timeWaitPort);
      SocketChannel client = keep(SocketChannel.open(StandardProtocolFamily.INET));
      try (SocketChannel accepted = connectAndAccept(client, server)) {
        client.close(); // first: the client's side goes to TIME-WAIT
        if (accepted.read(ByteBuffer.allocate(1)) != -1) {
          throw new IOException("expected the end of the stream");
        }
      }
    }

    // UDP: one bound socket with a datagram nobody read, one connected to it.
    DatagramChannel bound = keep(DatagramChannel.open(StandardProtocolFamily.INET));
    bound.bind(new InetSocketAddress("127.0.0.1", 0));
    udpPorts.add(((InetSocketAddress) bound.getLocalAddress()).getPort());
    DatagramChannel connected = keep(DatagramChannel.open(StandardProtocolFamily.INET));
    connected.bind(new InetSocketAddress("127.0.0.1", 0));
    udpPorts.add(((InetSocketAddress) connected.getLocalAddress()).getPort());
    connected.connect(bound.getLocalAddress());
    connected.write(ByteBuffer.wrap(new byte[100]));

    // Unix stream: a listener and a connected pair, the accepted side with unread bytes.
    var path = UnixDomainSocketAddress.of(dir.resolve("stream.sock"));
    ServerSocketChannel unixServer = keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX));
    unixServer.bind(path);
    SocketChannel unixClient = keep(SocketChannel.open(path));
    keep(unixServer.accept());
    unixClient.write(ByteBuffer.wrap(new byte[UNREAD_BYTES]));

    // Unix datagram (the JDK has none): a Python process binds one and sends itself a datagram.
    datagramHolder =
        ExternalProcess.command(
                "/usr/bin/python3",
                "-c",
                "import socket,sys\n"
                    + "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
                    + "s.bind(sys.argv[1])\n"
                    + "s.sendto(b'x'*10,sys.argv[1])\n"
                    + "print('ready',flush=True)\n"
                    + "sys.stdin.read()\n",
                dir.resolve("dgram.sock").toString())
            .start();
    datagramHolder.awaitOutputContaining("ready", Duration.ofSeconds(10));
  }

  private static SocketChannel connectAndAccept(SocketChannel client, ServerSocketChannel server)
      throws IOException {
    client.connect(server.getLocalAddress());
    return server.accept();
  }

  /** On {@code host}: ESTABLISHED with unread and with unsent data, and CLOSE-WAIT/FIN-WAIT-2. */
  private void pairs(String host) throws IOException {
    int port = listen(host, 50);
    ServerSocketChannel server = (ServerSocketChannel) channels.getLast();

    SocketChannel unreadClient = connect(host, port);
    keep(server.accept());
    unreadClient.write(ByteBuffer.wrap(new byte[UNREAD_BYTES]));

    // A peer that does not read: the sender's bytes fill the peer's receive buffer, then wait in
    // its own send queue.
    keep(connect(host, port));
    SocketChannel sender = keep(server.accept());
    sender.configureBlocking(false);
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    for (int i = 0; i < 10_000; i++) {
      chunk.clear();
      if (sender.write(chunk) == 0) {
        break;
      }
    }

    // The client shuts its output down: it waits in FIN-WAIT-2, the server in CLOSE-WAIT.
    SocketChannel closing = connect(host, port);
    keep(server.accept());
    closing.shutdownOutput();
  }

  @Override
  public void close() {
    if (datagramHolder != null) {
      datagramHolder.close();
    }
    for (Channel channel : channels.reversed()) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing what the test opened: nothing more to do
      }
    }
    channels.clear();
  }
}
