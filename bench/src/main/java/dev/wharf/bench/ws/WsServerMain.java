package dev.wharf.bench.ws;

import dev.wharf.bench.http.BoundServer;
import dev.wharf.bench.http.NettyServers;
import dev.wharf.bench.http.ServerControl;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A WebSocket echo server on Wharf or on Netty 4.2 (NIO or native epoll), one per process, so the
 * load generator ({@link WsLoadGen}) can measure each alone on its own core:
 *
 * <pre>
 * java -cp ... dev.wharf.bench.ws.WsServerMain --impl wharf|netty-nio|netty-epoll \
 *     [--host 127.0.0.1] [--port 7300] [--loops 1] [--deflate]
 * </pre>
 *
 * <p>Upgrades requests to {@value #PATH} and sends every text and binary message back as it came;
 * {@code --deflate} accepts permessage-deflate (level 6, context takeover both ways, as both
 * libraries default to). Prints {@code READY <impl> <port> <pid>} once bound, answers {@code ALLOC}
 * on stdin (see {@link ServerControl}); SIGTERM stops it.
 */
public final class WsServerMain {
  /** The path both servers upgrade. */
  public static final String PATH = "/ws";

  static final List<String> IMPLS = List.of("wharf", "netty-nio", "netty-epoll");
  private static final String USAGE =
      "WsServerMain --impl wharf|netty-nio|netty-epoll [--host 127.0.0.1] [--port 7300]"
          + " [--loops 1] [--deflate]";

  private WsServerMain() {}

  public static void main(String[] args) throws Exception {
    String impl = null;
    String host = "127.0.0.1";
    int port = 7300;
    int loops = 1;
    boolean deflate = false;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--impl" -> impl = args[++i];
          case "--host" -> host = args[++i];
          case "--port" -> port = Integer.parseInt(args[++i]);
          case "--loops" -> loops = Integer.parseInt(args[++i]);
          case "--deflate" -> deflate = true;
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (impl == null || !IMPLS.contains(impl)) {
        throw new IllegalArgumentException("--impl must be one of " + IMPLS);
      }
      if (port < 0 || port > 65535 || loops < 1) {
        throw new IllegalArgumentException("--port must be 0-65535 and --loops at least 1");
      }
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      String why =
          e instanceof ArrayIndexOutOfBoundsException ? "a flag lacks its value" : e.getMessage();
      System.err.println(why + "; usage: " + USAGE);
      System.exit(2);
    }
    ServerControl.runUntilStopped(
        impl, start(impl, new InetSocketAddress(host, port), loops, deflate));
  }

  /** Binds the echo server of {@code impl} (one of {@link #IMPLS}). */
  public static BoundServer start(
      String impl, InetSocketAddress address, int loops, boolean deflate) throws Exception {
    if (impl.equals("wharf")) {
      return WharfWsEchoServer.start(address, loops, deflate);
    }
    return NettyServers.start(
        address, loops, NettyServers.isEpoll(impl), new NettyWsEchoInitializer(deflate));
  }
}
