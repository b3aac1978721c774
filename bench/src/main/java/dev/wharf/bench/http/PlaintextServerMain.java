package dev.wharf.bench.http;

import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;

/**
 * TechEmpower's plaintext server ({@code GET /plaintext} answers {@code Hello, World!} as
 * text/plain, with Server, Date and Content-Length; keep-alive and pipelining) on Wharf or on Netty
 * 4.2 (NIO or native epoll), or as the C server does it on bare java.nio ({@link
 * NioFloorPlaintextServer}) or on system calls through FFM ({@link FfmFloorPlaintextServer}), one
 * per process, so any load generator can put them side by side:
 *
 * <pre>
 * bench/plaintext-server --impl wharf|netty-nio|netty-epoll|nio-floor|ffm-floor --host 127.0.0.1 --port 8080 --loops 1
 * </pre>
 *
 * <p>Prints {@code READY <impl> <port> <pid>} once bound; SIGTERM stops it. {@code ALLOC} on stdin
 * is answered with the JVM's allocated bytes (see {@link ServerControl}).
 */
public final class PlaintextServerMain {
  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(PlaintextServerMain.class, 8080)
          .withImpls("wharf", "netty-nio", "netty-epoll", "nio-floor", "ffm-floor");

  private PlaintextServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerControl.main(args, SPEC, a -> start(a.impl(), a.address(), a.loops()));
  }

  /** Binds the plaintext server of {@code impl} (one of {@link #SPEC}'s). */
  static BoundServer start(String impl, InetSocketAddress address, int loops) throws Exception {
    if (impl.equals("wharf")) {
      return WharfPlaintextServer.start(address, loops);
    }
    if (impl.equals("nio-floor")) {
      return NioFloorPlaintextServer.start(address); // One loop, as the C server.
    }
    if (impl.equals("ffm-floor")) {
      return FfmFloorPlaintextServer.start(address);
    }
    return NettyServers.start(
        address,
        loops,
        impl,
        ch -> ch.pipeline().addLast(new HttpServerCodec(), NettyPlaintextHandler.INSTANCE));
  }
}
