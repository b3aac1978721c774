package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Our server against the Autobahn|Testsuite case families, driven by Debian's python3-autobahn as
 * the client (src/test/python/autobahn_cases.py): framing (1), ping/pong (2), reserved bits (3),
 * opcodes (4), fragmentation (5), UTF-8 (6), closing (7), sizes up to 16 MiB and limits (9), length
 * encodings (10) and permessage-deflate (12, 13, with windows of 9 and 15 bits). Each case is one
 * test; the server echoes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AutobahnServerIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "autobahn-server-it", true);
  private HttpServer server;

  @BeforeAll
  void start() throws Exception {
    // 16 MiB, as wharf serve's echo: the testsuite's largest messages (9.1.6, 9.2.6) must pass.
    WebSocketConfig echo =
        WebSocketConfig.builder()
            .maxFrameBytes(16 << 20)
            .maxMessageBytes(16 << 20)
            .deflate(DeflateOptions.DEFAULTS)
            .build();
    WebSocketConfig limited =
        echo.toBuilder().maxFrameBytes(1 << 20).maxMessageBytes(1 << 20).build();
    server =
        HttpServer.builder(group)
            .get("/echo", WebSocketServer.handler(echo, EchoListeners::whole))
            .get("/limited", WebSocketServer.handler(limited, EchoListeners::whole))
            .get(
                "/blocking",
                WebSocketServer.handler(
                    echo.toBuilder().dispatch(WebSocketConfig.Dispatch.VIRTUAL_THREAD).build(),
                    EchoListeners::blocking))
            .get("/streaming", WebSocketServer.handler(echo, EchoListeners::streaming))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterAll
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  /** A list of Autobahn case families and the path of the listener that must pass them. */
  private record Cases(String name, String path, String families) {}

  private static final List<Cases> ALL =
      List.of(
          new Cases("framing, pings, reserved bits and opcodes", "/echo", "1,2,3,4"),
          new Cases("fragmentation and UTF-8", "/echo", "5,6"),
          new Cases("closing handshake", "/echo", "7"),
          new Cases("messages up to 16 MiB", "/echo", "9,-9.9,-9.10"),
          new Cases("limits and length encodings", "/limited", "9.9,9.10,10"),
          new Cases("permessage-deflate", "/echo", "12,13"),
          new Cases("a blocking listener on virtual threads", "/blocking", "1,2,5,6,7,12"),
          new Cases("messages received and sent as streams", "/streaming", "1,5,6,7,12"));

  /**
   * One container of tests per entry of {@link #ALL}, a test per case. Lazily: each entry's python
   * client runs when JUnit reaches its container, so an entry that fails fails on its own.
   */
  @TestFactory
  Stream<DynamicContainer> autobahnCases() {
    return ALL.stream()
        .map(
            cases ->
                DynamicContainer.dynamicContainer(
                    cases.name(), Stream.of(cases).flatMap(c -> run(c.path(), c.families()))));
  }

  private Stream<DynamicTest> run(String path, String families) {
    String url = "ws://127.0.0.1:" + server.port() + path;
    List<String> lines;
    String stderr;
    // A listener on another thread may answer after a close has overtaken it.
    String mode = path.equals("/blocking") || path.equals("/streaming") ? "async" : "sync";
    try (var peer = PythonPeer.start("autobahn_cases.py", "client", url, families, mode)) {
      lines = peer.readAll(480);
      stderr = peer.stderr();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(lines).as("python stderr: %s", stderr).isNotEmpty();
    assertThat(lines.get(0)).startsWith("CASES\t");
    int cases = Integer.parseInt(lines.get(0).substring(6));
    // Every case selected reported back: a peer that died halfway fails here.
    assertThat(lines).as("python stderr: %s", stderr).hasSize(cases + 1);
    var tests = new ArrayList<DynamicTest>();
    for (String line : lines.subList(1, lines.size())) {
      String[] parts = line.split("\t", 3);
      tests.add(
          DynamicTest.dynamicTest(
              "case " + parts[0] + " on " + path,
              () ->
                  assertThat(parts[1])
                      .as("case %s on %s: %s", parts[0], path, parts.length > 2 ? parts[2] : "")
                      .isEqualTo("ok")));
    }
    return tests.stream();
  }
}
