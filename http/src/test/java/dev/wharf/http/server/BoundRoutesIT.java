package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bound server keeps the routes its builder had at {@code bind}: a route added to the builder
 * afterwards does not change it (its loops read the routes without a lock), and reaches only a
 * server bound after it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoundRoutesIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "bound-routes-it", true);

  @AfterEach
  void stop() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aRouteAddedToTheBuilderAfterBindDoesNotReachTheRunningServer() throws Exception {
    var builder =
        HttpServer.builder(group).get("/before", (request, response) -> response.send("a"));
    var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (var first = builder.bind(address)) {
      builder.get("/after", (request, response) -> response.send("b"));
      try (var second = builder.bind(address)) {

        assertThat(status(first, "/before")).isEqualTo("200");
        assertThat(status(first, "/after")).as("added after bind").isEqualTo("404");
        assertThat(status(second, "/after")).as("bound after the route was added").isEqualTo("200");
      }
    }
  }

  private static String status(HttpServer server, String path) throws Exception {
    var curl =
        ExternalProcess.run(
            Duration.ofSeconds(20),
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "http://127.0.0.1:" + server.port() + path);
    assertThat(curl.err()).isEmpty();
    return curl.out();
  }
}
