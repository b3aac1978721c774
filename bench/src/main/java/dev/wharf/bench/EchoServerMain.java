package dev.wharf.bench;

import dev.wharf.bench.http.BoundServer;
import dev.wharf.bench.http.NettyServers;
import dev.wharf.bench.http.ServerArgs;
import dev.wharf.bench.http.ServerControl;
import dev.wharf.bench.http.WharfServers;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Timeouts;
import java.time.Duration;

/**
 * An echo server on Wharf or on Netty 4.2 (NIO or native epoll transport), one per process, so the
 * load generator can measure each alone on its own core.
 *
 * <pre>
 * java -cp ... dev.wharf.bench.EchoServerMain --impl wharf|netty-nio|netty-epoll \
 *     [--host 127.0.0.1] [--port 7007] [--loops 1] [--no-timeouts]
 * </pre>
 *
 * <p>All three have the same shape: one event loop group of {@code --loops} loops that both accepts
 * and serves, TCP_NODELAY on, SO_REUSEADDR on, backlog 1024, and backpressure from the write
 * queue's high watermark (64 KiB in both) to reading: an unwritable connection stops reading until
 * it drains. Wharf keeps its default timeouts (idle 5 min, write stall 60 s) unless {@code
 * --no-timeouts}: they are what a user gets, and cost a timer per connection. Prints {@code READY
 * <impl> <port> <pid>} once bound (with {@code --port 0}, the port it got) and answers {@code
 * ALLOC} on stdin (see {@link ServerControl}); SIGTERM stops it.
 */
public final class EchoServerMain {
  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(EchoServerMain.class, 7007).withSwitches("--no-timeouts");

  private EchoServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerControl.main(args, SPEC, EchoServerMain::start);
  }

  /** Binds the echo server {@code args} name. */
  static BoundServer start(ServerArgs args) throws Exception {
    if (!args.impl().equals("wharf")) {
      return NettyServers.start(args.address(), args.loops(), args.impl(), NettyEcho.INSTANCE);
    }
    Timeouts timeouts =
        args.has("--no-timeouts")
            ? new Timeouts(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO)
            : Timeouts.DEFAULTS;
    return WharfServers.start(
        args.loops(),
        "wharf-echo",
        group ->
            Server.builder(group)
                .options(SocketOptions.DEFAULTS.withTcpNoDelay(true).withBacklog(1024))
                .timeouts(timeouts)
                .name("echo")
                .bind(args.address(), EchoProtocol::new), // core's echo, with backpressure
        Server::port);
  }
}
