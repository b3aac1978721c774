package dev.wharf.bench.ws;

import dev.wharf.bench.http.BoundServer;
import dev.wharf.bench.http.NettyServers;
import dev.wharf.bench.http.ServerArgs;
import dev.wharf.bench.http.ServerControl;
import java.net.InetSocketAddress;

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

  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(WsServerMain.class, 7300).withSwitches("--deflate");

  private WsServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerControl.main(
        args, SPEC, a -> start(a.impl(), a.address(), a.loops(), a.has("--deflate")));
  }

  /** Binds the echo server of {@code impl} (one of {@link ServerArgs#WHARF_AND_NETTY}). */
  public static BoundServer start(
      String impl, InetSocketAddress address, int loops, boolean deflate) throws Exception {
    if (impl.equals("wharf")) {
      return WharfWsEchoServer.start(address, loops, deflate);
    }
    return NettyServers.start(address, loops, impl, new NettyWsEchoInitializer(deflate));
  }
}
