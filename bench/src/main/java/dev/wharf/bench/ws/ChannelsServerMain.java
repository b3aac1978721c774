package dev.wharf.bench.ws;

import dev.wharf.bench.http.NettyServers;
import dev.wharf.bench.http.ServerArgs;
import dev.wharf.bench.http.ServerControl;

/**
 * The Netty 4.2 reference for bench/c10k: {@link NettyChannelsInitializer} at {@value
 * NettyChannelsInitializer#PATH}, one event loop. (Wharf's side is the real {@code wharf serve
 * --channels}.)
 *
 * <pre>
 * java -cp ... dev.wharf.bench.ws.ChannelsServerMain --impl netty-epoll|netty-nio \
 *     [--host 127.0.0.1] [--port 7400] [--loops 1]
 * </pre>
 *
 * <p>Prints {@code READY <impl> <port> <pid>} once bound; SIGTERM stops it.
 */
public final class ChannelsServerMain {
  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(ChannelsServerMain.class, 7400).withImpls("netty-epoll", "netty-nio");

  private ChannelsServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerControl.main(
        args,
        SPEC,
        a -> NettyServers.start(a.address(), a.loops(), a.impl(), new NettyChannelsInitializer()));
  }
}
