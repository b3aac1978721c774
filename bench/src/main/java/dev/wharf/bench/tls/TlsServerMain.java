package dev.wharf.bench.tls;

import dev.wharf.bench.EchoServerMain;
import dev.wharf.bench.http.BoundServer;
import dev.wharf.bench.http.NettyServers;
import dev.wharf.bench.http.ServerControl;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsProtocol;
import dev.wharf.core.tls.TlsServerConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A TLS echo server on Wharf (core's {@link EchoProtocol} behind {@code Server.Builder.tls}) or on
 * Netty 4.2 ({@code SslHandler} on the JDK's engine, {@code SslProvider.JDK}, then the echo
 * benchmark's handler), one per process:
 *
 * <pre>
 * java -cp ... dev.wharf.bench.tls.TlsServerMain --impl wharf|netty-nio|netty-epoll \
 *     --cert cert.pem --key key.pem [--host 127.0.0.1] [--port 7500] [--loops 1]
 * </pre>
 *
 * <p>Both use the JDK's SSLEngine (SunJSSE) with TLS 1.3 and 1.2 enabled and their own default
 * suites; the generator offers one suite, so both negotiate the same. Prints {@code READY <impl>
 * <port> <pid>} once bound, answers {@code ALLOC} on stdin (see {@link ServerControl}); SIGTERM
 * stops it.
 */
public final class TlsServerMain {
  static final List<String> IMPLS = List.of("wharf", "netty-nio", "netty-epoll");
  private static final String USAGE =
      "TlsServerMain --impl wharf|netty-nio|netty-epoll --cert PEM --key PEM [--host 127.0.0.1]"
          + " [--port 7500] [--loops 1]";

  private TlsServerMain() {}

  public static void main(String[] args) throws Exception {
    String impl = null;
    String host = "127.0.0.1";
    int port = 7500;
    int loops = 1;
    Path cert = null;
    Path key = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--impl" -> impl = args[++i];
          case "--host" -> host = args[++i];
          case "--port" -> port = Integer.parseInt(args[++i]);
          case "--loops" -> loops = Integer.parseInt(args[++i]);
          case "--cert" -> cert = Path.of(args[++i]);
          case "--key" -> key = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (impl == null || !IMPLS.contains(impl)) {
        throw new IllegalArgumentException("--impl must be one of " + IMPLS);
      }
      if (cert == null || key == null || !Files.isReadable(cert) || !Files.isReadable(key)) {
        throw new IllegalArgumentException("--cert and --key must name readable PEM files");
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
        impl, start(impl, new InetSocketAddress(host, port), loops, cert, key));
  }

  /** Binds the TLS echo server of {@code impl} (one of {@link #IMPLS}). */
  public static BoundServer start(
      String impl, InetSocketAddress address, int loops, Path cert, Path key) throws Exception {
    if (impl.equals("wharf")) {
      return startWharf(address, loops, cert, key);
    }
    SslContext context =
        SslContextBuilder.forServer(cert.toFile(), key.toFile())
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3", "TLSv1.2")
            .build();
    return NettyServers.start(
        address,
        loops,
        NettyServers.isEpoll(impl),
        new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(context.newHandler(ch.alloc()), EchoServerMain.NettyEcho.INSTANCE);
          }
        });
  }

  /** As the echo benchmark's Wharf server (its defaults, timeouts included), with TLS. */
  private static BoundServer startWharf(InetSocketAddress address, int loops, Path cert, Path key)
      throws Exception {
    TlsServerConfig tls = TlsServerConfig.builder(TlsIdentity.fromPem(cert, key)).build();
    var group = new EventLoopGroup(loops, "wharf-tls", false);
    Server server;
    try {
      server =
          Server.builder(group)
              .options(SocketOptions.DEFAULTS.withTcpNoDelay(true).withBacklog(1024))
              .layer(TlsProtocol.serverLayer(tls))
              .name("tls-echo")
              .bind(address, EchoProtocol::new);
    } catch (Exception e) {
      group.close();
      throw e;
    }
    return new BoundServer(
        server.port(),
        () -> {
          server.close();
          group.shutdownGracefully(Duration.ofSeconds(2)).join();
        });
  }
}
