package dev.wharf.bench.http;

import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Netty's side of the HTTP/2 static file benchmark (bench/h2/run): Netty 4.2's HTTP/2 codec ({@code
 * Http2FrameCodec}) and {@link NettyHttp2StaticFileHandler}, over TLS with ALPN {@code h2} (the
 * JDK's SSLEngine, as Wharf uses) or as h2c by prior knowledge. Wharf's side is the real {@code
 * wharf serve}.
 *
 * <pre>
 * java -cp ... dev.wharf.bench.http.Http2StaticFileServerMain --impl netty-epoll|netty-nio \
 *     --dir DIR --cert CERT.pem --key KEY.pem [--tls] [--host 127.0.0.1] [--port 8443] [--loops 1]
 * </pre>
 *
 * The key is PKCS#8 PEM; without {@code --tls} the certificate is not used.
 */
public final class Http2StaticFileServerMain {
  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(Http2StaticFileServerMain.class, 8443)
          .withImpls("netty-epoll", "netty-nio")
          .withPaths("--dir", "--cert", "--key")
          .withSwitches("--tls")
          .withCheck(
              a ->
                  ServerArgs.require(
                      Files.isDirectory(a.path("--dir")), "--dir must name a directory"));

  private Http2StaticFileServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerControl.main(args, SPEC, Http2StaticFileServerMain::start);
  }

  static BoundServer start(ServerArgs a) throws Exception {
    Path root = a.path("--dir").toAbsolutePath().normalize();
    SslContext tls = a.has("--tls") ? tls(a.path("--cert"), a.path("--key")) : null;
    InetSocketAddress address = a.address();
    return NettyServers.start(
        address,
        a.loops(),
        a.impl(),
        ch -> {
          if (tls != null) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
          }
          ch.pipeline()
              .addLast(
                  Http2FrameCodecBuilder.forServer().build(),
                  new NettyHttp2StaticFileHandler(root));
        });
  }

  private static SslContext tls(Path cert, Path key) throws Exception {
    return SslContextBuilder.forServer(cert.toFile(), key.toFile())
        .sslProvider(SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2")
        .applicationProtocolConfig(
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2))
        .build();
  }
}
