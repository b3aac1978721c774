package dev.wharf.bench;

import dev.wharf.bench.http.BoundServer;
import dev.wharf.bench.http.ServerControl;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Timeouts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/**
 * An echo server on Wharf or on Netty 4.2 (NIO or native epoll transport), one per process, so the
 * load generator can measure each alone on its own core.
 *
 * <pre>
 * java -cp ... dev.wharf.bench.EchoServerMain --impl wharf|netty-nio|netty-epoll --port P --threads 1
 * </pre>
 *
 * <p>All three have the same shape: one event loop group of {@code --threads} loops that both
 * accepts and serves, TCP_NODELAY on, SO_REUSEADDR on, backlog 1024, and backpressure from the
 * write queue's high watermark (64 KiB in both) to reading: an unwritable connection stops reading
 * until it drains. Wharf keeps its default timeouts (idle 5 min, write stall 60 s): they are what a
 * user gets, and cost a timer per connection. Prints {@code READY <impl> <port> <pid>} once bound
 * and answers {@code ALLOC} on stdin (see {@link ServerControl}).
 */
public final class EchoServerMain {
  private EchoServerMain() {}

  public static void main(String[] args) throws Exception {
    String impl = "wharf";
    int port = 7007;
    int threads = 1;
    String host = "127.0.0.1";
    boolean timeouts = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--impl" -> impl = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--host" -> host = args[++i];
        case "--no-timeouts" -> timeouts = false;
        default -> {
          System.err.println(
              "usage: EchoServerMain --impl wharf|netty-nio|netty-epoll --port P --threads N"
                  + " [--host H] [--no-timeouts]");
          System.exit(2);
        }
      }
    }
    var address = new InetSocketAddress(host, port);
    Runnable stop =
        switch (impl) {
          case "wharf" -> startWharf(address, threads, timeouts);
          case "netty-nio" -> startNetty(address, threads, false);
          case "netty-epoll" -> startNetty(address, threads, true);
          default -> throw new IllegalArgumentException("unknown --impl " + impl);
        };
    ServerControl.runUntilStopped(impl, new BoundServer(port, stop));
  }

  // ---- Wharf ----

  private static Runnable startWharf(InetSocketAddress address, int threads, boolean timeouts)
      throws Exception {
    var group = new dev.wharf.core.EventLoopGroup(threads, "wharf-echo", false);
    Server server =
        Server.builder(group)
            .options(SocketOptions.DEFAULTS.withTcpNoDelay(true).withBacklog(1024))
            .timeouts(
                timeouts
                    ? Timeouts.DEFAULTS
                    : new Timeouts(
                        java.time.Duration.ZERO,
                        java.time.Duration.ZERO,
                        java.time.Duration.ZERO,
                        java.time.Duration.ZERO))
            .name("echo")
            .bind(address, EchoProtocol::new); // core's echo, with backpressure
    return () -> {
      server.close();
      group.close();
    };
  }

  // ---- Netty ----

  /** Netty's echo with the same backpressure: autoRead off while the channel is unwritable. */
  @Sharable
  public static final class NettyEcho extends ChannelInboundHandlerAdapter {
    public static final NettyEcho INSTANCE = new NettyEcho();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg, ctx.voidPromise());
      if (!ctx.channel().isWritable()) {
        ctx.flush();
        if (!ctx.channel().isWritable()) {
          ctx.channel().config().setAutoRead(false);
        }
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A reset peer (the accept test closes with SO_LINGER 0) is normal here: close quietly.
      ctx.close();
    }
  }

  private static Runnable startNetty(InetSocketAddress address, int threads, boolean epoll)
      throws Exception {
    EventLoopGroup group;
    Class<? extends ServerChannel> channelClass;
    if (epoll) {
      if (!Epoll.isAvailable()) {
        throw new IllegalStateException("native epoll unavailable", Epoll.unavailabilityCause());
      }
      group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
      channelClass = EpollServerSocketChannel.class;
    } else {
      group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
      channelClass = NioServerSocketChannel.class;
    }
    Channel channel =
        new ServerBootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(NettyEcho.INSTANCE)
            .bind(address)
            .sync()
            .channel();
    return () -> {
      channel.close().syncUninterruptibly();
      group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    };
  }
}
