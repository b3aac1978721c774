package dev.wharf.bench.tls;

import dev.wharf.bench.NettyEcho;
import dev.wharf.bench.http.BoundServer;
import dev.wharf.bench.http.NettyServers;
import dev.wharf.bench.http.ServerArgs;
import dev.wharf.bench.http.ServerControl;
import dev.wharf.bench.http.WharfServers;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsProtocol;
import dev.wharf.core.tls.TlsServerConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

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
  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(TlsServerMain.class, 7500)
          .withPaths("--cert", "--key")
          .withCheck(
              a ->
                  ServerArgs.require(
                      Files.isReadable(a.path("--cert")) && Files.isReadable(a.path("--key")),
                      "--cert and --key must name readable PEM files"));

  private TlsServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerControl.main(
        args,
        SPEC,
        a -> start(a.impl(), a.address(), a.loops(), a.path("--cert"), a.path("--key")));
  }

  /** Binds the TLS echo server of {@code impl} (one of {@link ServerArgs#WHARF_AND_NETTY}). */
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
        impl,
        ch -> ch.pipeline().addLast(context.newHandler(ch.alloc()), NettyEcho.INSTANCE));
  }

  /** As the echo benchmark's Wharf server (its defaults, timeouts included), with TLS. */
  private static BoundServer startWharf(InetSocketAddress address, int loops, Path cert, Path key)
      throws Exception {
    TlsServerConfig tls = TlsServerConfig.builder(TlsIdentity.fromPem(cert, key)).build();
    return WharfServers.start(
        loops,
        "wharf-tls",
        group ->
            Server.builder(group)
                .options(SocketOptions.DEFAULTS.withTcpNoDelay(true).withBacklog(1024))
                .layer(TlsProtocol.serverLayer(tls))
                .name("tls-echo")
                .bind(address, EchoProtocol::new),
        Server::port);
  }
}
