package dev.wharf.http.h2.server;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.http.server.HttpTimeouts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The h2c server on loopback that the raw-frame suites ({@link Http2ConformanceIT}, {@link
 * Http2SpecIT}) send their cases to: {@code /hello}; {@code /slow}, which holds its stream open
 * until {@link #release} (counting {@link #slowStarted}); {@code /linger}, which answers at once
 * and runs on until then; {@code POST /echo}; and {@code /big}, 200,000 bytes.
 */
final class RawFrameServer implements AutoCloseable {
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch slowStarted = new CountDownLatch(1);
  private final EventLoopGroup group;
  private final HttpServer server;

  RawFrameServer(String name, Duration wait, HttpTimeouts timeouts) throws Exception {
    group = new EventLoopGroup(2, name, true);
    server =
        HttpServer.builder(group)
            .http2(true)
            .get("/hello", (request, response) -> response.send("hello\n"))
            .routeBlocking(
                "GET",
                "/slow",
                (request, response) -> {
                  slowStarted.countDown();
                  release.await(wait.toSeconds(), TimeUnit.SECONDS);
                  response.send("slow\n");
                })
            .routeBlocking(
                "GET",
                "/linger",
                (request, response) -> {
                  response.send("linger\n");
                  release.await(wait.toSeconds(), TimeUnit.SECONDS);
                })
            .post("/echo", (request, response) -> response.send(request.body()))
            .routeBlocking("GET", "/big", (request, response) -> response.send(new byte[200_000]))
            .timeouts(timeouts)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  int port() {
    return server.port();
  }

  /** Stops the loops, letting what is in flight finish for up to {@code drain}. */
  CompletableFuture<Void> shutdownGracefully(Duration drain) {
    return group.shutdownGracefully(drain);
  }

  @Override
  public void close() {
    release.countDown();
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }
}
