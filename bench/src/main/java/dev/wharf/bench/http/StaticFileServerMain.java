package dev.wharf.bench.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Netty's side of the static file benchmark ({@link NettyStaticFileHandler}); Wharf's side is the
 * real {@code wharf serve}. Same flags as {@link PlaintextServerMain}, plus the directory:
 *
 * <pre>
 * java -cp ... dev.wharf.bench.http.StaticFileServerMain --impl netty-nio|netty-epoll \
 *     --host 127.0.0.1 --port 8080 --loops 1 --dir DIR
 * </pre>
 */
public final class StaticFileServerMain {
  private static final String USAGE =
      "StaticFileServerMain --impl netty-nio|netty-epoll --dir DIR [--host 127.0.0.1]"
          + " [--port 8080] [--loops 1]";

  private StaticFileServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerArgs a = ServerArgs.parse(args, USAGE, List.of("netty-nio", "netty-epoll"), true);
    ServerControl.runUntilStopped(a.impl(), start(a.impl(), a.address(), a.loops(), a.dir()));
  }

  /** Binds Netty's static file server ({@code netty-nio} or {@code netty-epoll}) on {@code dir}. */
  static BoundServer start(String impl, InetSocketAddress address, int loops, Path dir)
      throws InterruptedException {
    Path root = dir.toAbsolutePath().normalize();
    return NettyServers.start(
        address,
        loops,
        NettyServers.isEpoll(impl),
        new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new NettyStaticFileHandler(root));
          }
        });
  }
}
