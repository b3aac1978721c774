package dev.wharf.bench.http;

import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

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
  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(StaticFileServerMain.class, 8080)
          .withImpls("netty-nio", "netty-epoll")
          .withPaths("--dir")
          .withCheck(
              a ->
                  ServerArgs.require(
                      Files.isDirectory(a.path("--dir")), "--dir must name a directory"));

  private StaticFileServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerControl.main(args, SPEC, a -> start(a.impl(), a.address(), a.loops(), a.path("--dir")));
  }

  /** Binds Netty's static file server ({@code netty-nio} or {@code netty-epoll}) on {@code dir}. */
  static BoundServer start(String impl, InetSocketAddress address, int loops, Path dir)
      throws InterruptedException {
    Path root = dir.toAbsolutePath().normalize();
    return NettyServers.start(
        address,
        loops,
        impl,
        ch -> ch.pipeline().addLast(new HttpServerCodec(), new NettyStaticFileHandler(root)));
  }
}
