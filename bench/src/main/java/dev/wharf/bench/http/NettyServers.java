package dev.wharf.bench.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Binds every Netty 4.2 benchmark server the same way: one group of {@code loops} event loops that
 * both accepts and serves, NIO ({@code netty-nio}) or native epoll ({@code netty-epoll}), backlog
 * 1024, SO_REUSEADDR and TCP_NODELAY on (Wharf's defaults). Called from a server main's main
 * thread; the initializers it is given run on the event loops.
 */
public final class NettyServers {
  private NettyServers() {}

  /** True for {@code netty-epoll}, false for {@code netty-nio}. */
  public static boolean isEpoll(String impl) {
    return switch (impl) {
      case "netty-epoll" -> true;
      case "netty-nio" -> false;
      default -> throw new IllegalArgumentException("not a Netty impl: " + impl);
    };
  }

  /** Binds {@code impl}'s server, {@code initChannel} building each accepted channel's pipeline. */
  public static BoundServer start(
      InetSocketAddress address, int loops, String impl, Consumer<SocketChannel> initChannel)
      throws InterruptedException {
    return start(
        address,
        loops,
        impl,
        new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            initChannel.accept(ch);
          }
        });
  }

  /** Binds {@code impl}'s server with {@code child} as each accepted channel's handler. */
  public static BoundServer start(
      InetSocketAddress address, int loops, String impl, ChannelHandler child)
      throws InterruptedException {
    EventLoopGroup group;
    Class<? extends ServerChannel> channelClass;
    if (isEpoll(impl)) {
      if (!Epoll.isAvailable()) {
        throw new IllegalStateException("native epoll unavailable", Epoll.unavailabilityCause());
      }
      group = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
      channelClass = EpollServerSocketChannel.class;
    } else {
      group = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
      channelClass = NioServerSocketChannel.class;
    }
    Channel channel;
    try {
      channel =
          new ServerBootstrap()
              .group(group)
              .channel(channelClass)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(child)
              .bind(address)
              .sync()
              .channel();
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    return new BoundServer(
        ((InetSocketAddress) channel.localAddress()).getPort(),
        () -> {
          channel.close().syncUninterruptibly();
          group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        });
  }
}
