package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Our client against the same Autobahn case families, with python3-autobahn as the server that
 * sends the cases' frames (src/test/python/autobahn_cases.py server): the client must unmask
 * nothing, mask everything it sends, and answer every violation with the right close code. The
 * client echoes, as the testsuite's clients do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AutobahnClientIT {
  // bench/autobahn --full runs the testsuite's 1000 messages a case (AUTOBAHN_FULL=1).
  private static final int CASE_SECONDS = "1".equals(System.getenv("AUTOBAHN_FULL")) ? 480 : 90;

  private final EventLoopGroup group = new EventLoopGroup(1, "autobahn-client-it", true);
  // 16 MiB: the testsuite's largest messages (9.1.6, 9.2.6) must pass.
  private final WebSocketConfig plain =
      WebSocketConfig.builder().maxFrameBytes(16 << 20).maxMessageBytes(16 << 20).build();
  private final WebSocketConfig limited =
      plain.toBuilder().maxFrameBytes(1 << 20).maxMessageBytes(1 << 20).build();
  private final WebSocketClient client = WebSocketClient.builder(group).config(plain).build();
  private final WebSocketClient deflating =
      WebSocketClient.builder(group)
          .config(plain.toBuilder().deflate(DeflateOptions.DEFAULTS).build())
          .build();
  // Autobahn's server asks for client_no_context_takeover (13.2, 13.5-13.7) only of a client that
  // offered it.
  private final WebSocketClient deflatingNoContext =
      WebSocketClient.builder(group)
          .config(
              plain.toBuilder()
                  .deflate(DeflateOptions.DEFAULTS.withClientNoContextTakeover(true))
                  .build())
          .build();
  private final WebSocketClient limitedClient =
      WebSocketClient.builder(group).config(limited).build();
  private final WebSocketClient limitedDeflating =
      WebSocketClient.builder(group)
          .config(limited.toBuilder().deflate(DeflateOptions.DEFAULTS).build())
          .build();

  @AfterAll
  void stop() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @TestFactory
  List<DynamicTest> framingPingsReservedBitsOpcodesAndFragmentation() throws Exception {
    return run("1,2,3,4,5");
  }

  @TestFactory
  List<DynamicTest> utf8AndClosing() throws Exception {
    return run("6,7");
  }

  @TestFactory
  List<DynamicTest> limitsAndLengthEncodings() throws Exception {
    return run("9,10");
  }

  @TestFactory
  List<DynamicTest> permessageDeflate() throws Exception {
    return run("12,13");
  }

  /** The client each case needs: 9.9 and 9.10 test a 1 MiB limit, 12 and 13 compression. */
  private WebSocketClient clientFor(String id) {
    String group = id.substring(0, id.lastIndexOf('.'));
    return switch (group) {
      case "9.9" -> limitedClient;
      case "9.10" -> limitedDeflating;
      case "13.2", "13.5", "13.6", "13.7" -> deflatingNoContext;
      default -> group.startsWith("12.") || group.startsWith("13.") ? deflating : client;
    };
  }

  private List<DynamicTest> run(String families) throws Exception {
    var tests = new ArrayList<DynamicTest>();
    try (var peer = PythonPeer.start("autobahn_cases.py", "server", families)) {
      String[] hello = peer.readLine(30).split("\t");
      assertThat(hello[0]).as("python stderr: %s", peer.stderr()).isEqualTo("PORT");
      int port = Integer.parseInt(hello[1]);
      for (String id : hello[2].split(",")) {
        var closed = new CompletableFuture<Integer>();
        WebSocketListener echo = closingEcho(closed);
        clientFor(id)
            .connect(URI.create("ws://127.0.0.1:" + port + "/case/" + id), echo)
            .get(10, TimeUnit.SECONDS);
        closed.get(CASE_SECONDS, TimeUnit.SECONDS);
        String line = peer.readLine(CASE_SECONDS);
        report(line);
        String[] result = line.split("\t", 3);
        tests.add(
            DynamicTest.dynamicTest(
                "case " + result[0] + " against our client",
                () ->
                    assertThat(result[1])
                        .as("case %s: %s", result[0], result.length > 2 ? result[2] : "")
                        .isEqualTo("ok")));
      }
      peer.closeInput();
      peer.waitFor(10);
    }
    return tests;
  }

  /** bench/autobahn's table: each case's line appended to $AUTOBAHN_REPORT, when set. */
  private static void report(String line) throws java.io.IOException {
    String file = System.getenv("AUTOBAHN_REPORT");
    if (file != null) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(file),
          line + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
  }

  private static WebSocketListener closingEcho(CompletableFuture<Integer> closed) {
    WebSocketListener echo = EchoListeners.whole();
    return new WebSocketListener() {
      @Override
      public void onText(WebSocket ws, String text) {
        echo.onText(ws, text);
      }

      @Override
      public void onBinary(WebSocket ws, java.nio.ByteBuffer data) {
        echo.onBinary(ws, data);
      }

      @Override
      public void onClose(WebSocket ws, int code, String reason) {
        closed.complete(code);
      }
    };
  }
}
