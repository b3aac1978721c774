package dev.wharf.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The three plaintext servers answer as TechEmpower's plaintext test requires, pipelined too. */
class PlaintextServersIT {

  @ParameterizedTest
  @ValueSource(strings = {"wharf", "netty-nio", "netty-epoll"})
  void answersSixteenPipelinedRequestsInOrder(String impl) throws Exception {
    BoundServer server = PlaintextServerMain.start(impl, new InetSocketAddress("127.0.0.1", 0), 1);
    try (var client = new RawHttp(server.port())) {
      client.send(RawHttp.get("/plaintext").repeat(16));
      for (int i = 0; i < 16; i++) {
        RawHttp.Reply reply = client.read();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.bodyText()).isEqualTo("Hello, World!");
        assertThat(reply.headers())
            .containsEntry("content-type", "text/plain")
            .containsEntry("content-length", "13")
            .containsKeys("server", "date")
            .doesNotContainKey("connection");
        assertThat(reply.headers().get("date")).endsWith(" GMT");
      }
      // Still open: another request on the same connection.
      client.send(RawHttp.get("/plaintext"));
      assertThat(client.read().bodyText()).isEqualTo("Hello, World!");
    } finally {
      server.stop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"wharf", "netty-nio", "netty-epoll"})
  void answersOtherPathsWith404AndKeepsTheConnection(String impl) throws Exception {
    BoundServer server = PlaintextServerMain.start(impl, new InetSocketAddress("127.0.0.1", 0), 1);
    try (var client = new RawHttp(server.port())) {
      client.send(RawHttp.get("/nothing"));
      assertThat(client.read().status()).isEqualTo(404);
      client.send(RawHttp.get("/plaintext"));
      assertThat(client.read().status()).isEqualTo(200);
    } finally {
      server.stop().run();
    }
  }
}
