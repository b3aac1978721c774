package dev.wharf.bench.http;

import dev.wharf.http.server.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * TechEmpower's plaintext test on Wharf's HTTP API, as a user would write it: one non-blocking
 * route on {@link HttpServer} with its defaults (limits, timeouts, TCP_NODELAY, backlog 1024).
 * Wharf adds Date, Server and Content-Length itself; keep-alive and pipelining are the server's.
 */
final class WharfPlaintextServer {
  private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

  private WharfPlaintextServer() {}

  static BoundServer start(InetSocketAddress address, int loops) throws Exception {
    return WharfServers.start(
        loops,
        "wharf-http",
        group ->
            HttpServer.builder(group)
                .get("/plaintext", (request, response) -> response.send(200, "text/plain", HELLO))
                .bind(address),
        HttpServer::port);
  }
}
