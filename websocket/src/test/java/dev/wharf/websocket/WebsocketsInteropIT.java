package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.Await;
import dev.wharf.websocket.codec.MessageDeflater;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Debian's python3-websockets against our server and our client, with and without deflate. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebsocketsInteropIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "websockets-it", true);

  @AfterEach
  void stop() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @ParameterizedTest
  @ValueSource(strings = {"deflate", "plain", "window9"})
  void pythonClientRoundTripsThroughOurServer(String mode) throws Exception {
    var config =
        WebSocketConfig.builder().maxMessageBytes(4 << 20).deflate(DeflateOptions.DEFAULTS).build();
    try (var server =
        HttpServer.builder(group)
            .get("/echo", WebSocketServer.handler(config, EchoListeners::whole))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      List<String> lines;
      String stderr;
      try (var peer =
          PythonPeer.start(
              "websockets_peer.py", "client", "ws://127.0.0.1:" + server.port() + "/echo", mode)) {
        lines = peer.readAll(90);
        stderr = peer.stderr();
      }
      assertThat(lines).as("python stderr: %s", stderr).hasSize(10);
      assertThat(lines).allSatisfy(line -> assertThat(line).contains("\tok\t"));
    }
    // The server's zlib deflaters (window9) were freed with their connections.
    awaitNativeDeflaters(0);
  }

  /** Waits (10 s at most) until this many zlib deflaters are open. */
  private static void awaitNativeDeflaters(int open) {
    // A connection closes on its loop, after the python peer has gone.
    Await.until(
        open + " zlib deflaters open",
        Duration.ofSeconds(10),
        () -> MessageDeflater.openNativeDeflaters() == open);
    assertThat(MessageDeflater.openNativeDeflaters()).isEqualTo(open);
  }

  @ParameterizedTest
  @ValueSource(strings = {"deflate", "window9"})
  void ourClientRoundTripsThroughAPythonServer(String mode) throws Exception {
    try (var peer = PythonPeer.start("websockets_peer.py", "server", mode)) {
      String[] hello = peer.readLine(30).split("\t");
      assertThat(hello[0]).as("python stderr: %s", peer.stderr()).isEqualTo("PORT");
      var received = new LinkedBlockingQueue<Object>();
      var closed = new CompletableFuture<Integer>();
      var client =
          WebSocketClient.builder(group)
              .config(WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build())
              .build();
      WebSocket ws =
          client
              .connect(
                  URI.create("ws://127.0.0.1:" + hello[1] + "/"),
                  new Collecting(received) {
                    @Override
                    public void onClose(WebSocket w, int code, String reason) {
                      closed.complete(code);
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      assertThat(ws.extensions()).startsWith("permessage-deflate");
      // We offered client_max_window_bits; websockets answers 12 by default (to save memory), 9
      // in window9: either way zlib compresses what we send.

      String text = "κόσμε, wharf! ".repeat(1000);
      ws.sendText(text).get(10, TimeUnit.SECONDS);
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(text);

      byte[] binary = new byte[300_000];
      new Random(1).nextBytes(binary);
      ws.sendBinary(binary).get(10, TimeUnit.SECONDS);
      assertThat((byte[]) received.poll(10, TimeUnit.SECONDS)).isEqualTo(binary);

      try (var out = ws.sendStream(MessageType.TEXT)) {
        for (int i = 0; i < 5000; i++) {
          out.write(("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      String streamed = (String) received.poll(10, TimeUnit.SECONDS);
      assertThat(streamed).startsWith("line 0\n").endsWith("line 4999\n");

      assertThat(MessageDeflater.openNativeDeflaters()).isEqualTo(1);
      ws.close(1000, "bye").get(10, TimeUnit.SECONDS);
      assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
      awaitNativeDeflaters(0);
      assertThat(peer.readLine(10)).isEqualTo("closed\t1000\tbye");
      peer.closeInput();
      assertThat(peer.waitFor(10)).isZero();
    }
  }

  /**
   * One message prepared once and sent to two connections, one that agreed to permessage-deflate
   * (python's websockets) and one that did not (our client): both read the same message.
   */
  @Test
  void aPreparedMessageReachesADeflatingAndAPlainConnectionAlike() throws Exception {
    var opened = new LinkedBlockingQueue<WebSocket>();
    var config = WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build();
    try (var server =
            HttpServer.builder(group)
                .get(
                    "/fanout",
                    WebSocketServer.handler(
                        config,
                        () ->
                            new WebSocketListener() {
                              @Override
                              public void onOpen(WebSocket ws) {
                                opened.add(ws);
                              }
                            }))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var python =
            PythonPeer.start(
                "websockets_peer.py", "talk", "ws://127.0.0.1:" + server.port() + "/fanout")) {
      var received = new LinkedBlockingQueue<Object>();
      WebSocketClient.builder(group)
          .build()
          .connect(
              URI.create("ws://127.0.0.1:" + server.port() + "/fanout"), new Collecting(received))
          .get(10, TimeUnit.SECONDS);
      List<WebSocket> both = List.of(take(opened), take(opened));
      assertThat(both).extracting(WebSocket::extensions).anyMatch(String::isEmpty);
      assertThat(both)
          .extracting(WebSocket::extensions)
          .anyMatch(e -> e.startsWith("permessage-deflate"));

      String text = "κόσμε, broadcast! ".repeat(300);
      PreparedMessage textMessage = PreparedMessage.text(text);
      PreparedMessage binaryMessage =
          PreparedMessage.binary(ByteBuffer.wrap(new byte[] {0, 1, -1}));
      for (WebSocket ws : both) {
        ws.send(textMessage).get(10, TimeUnit.SECONDS);
        ws.send(binaryMessage).get(10, TimeUnit.SECONDS);
      }
      for (WebSocket ws : both) {
        ws.close(1000, "done");
      }

      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(text);
      assertThat((byte[]) received.poll(10, TimeUnit.SECONDS)).containsExactly(0, 1, -1);
      List<String> lines = python.readAll(30);
      assertThat(lines)
          .as("python stderr: %s", python.stderr())
          .containsExactly("text\t" + text, "binary\t0001ff", "closed\t1000\tdone");
    }
  }

  /**
   * A broadcast's deliveries go out with {@code trySend}, no future each: python's websockets reads
   * them in the order sent, and once our close has started a trySend is refused (false) and sends
   * nothing.
   */
  @Test
  void trySendReachesThePeerInOrderAndIsRefusedOnceClosing() throws Exception {
    var opened = new LinkedBlockingQueue<WebSocket>();
    var fromPython = new LinkedBlockingQueue<Object>();
    try (var server =
            HttpServer.builder(group)
                .get(
                    "/try",
                    WebSocketServer.handler(
                        WebSocketConfig.builder().build(),
                        () ->
                            new Collecting(fromPython) {
                              @Override
                              public void onOpen(WebSocket ws) {
                                opened.add(ws);
                              }
                            }))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        var python =
            PythonPeer.start(
                "websockets_peer.py", "talk", "ws://127.0.0.1:" + server.port() + "/try")) {
      WebSocket ws = take(opened);
      // The peer sends its three messages before it reads: a close that came first would fail
      // its sends, so ours wait for them.
      for (int i = 0; i < 3; i++) {
        assertThat(fromPython.poll(30, TimeUnit.SECONDS))
            .as("python message %d; python stderr: %s", i + 1, python.stderr())
            .isNotNull();
      }
      var answers = new CompletableFuture<List<Boolean>>();
      // On the loop, where trySend's answer is final and the close starts at once.
      ws.execute(
          () -> {
            boolean first = ws.trySend(PreparedMessage.text("first"));
            boolean second = ws.trySend(PreparedMessage.text("second"));
            boolean third = ws.trySend(PreparedMessage.binary(ByteBuffer.wrap(new byte[] {3})));
            ws.close(1000, "done");
            boolean afterClose = ws.trySend(PreparedMessage.text("after the close"));
            answers.complete(List.of(first, second, third, afterClose));
          });

      assertThat(answers.get(10, TimeUnit.SECONDS)).containsExactly(true, true, true, false);
      assertThat(ws.trySend(PreparedMessage.text("from another thread, closing"))).isFalse();
      assertThat(python.readAll(30))
          .as("python stderr: %s", python.stderr())
          .containsExactly("text\tfirst", "text\tsecond", "binary\t03", "closed\t1000\tdone");
    }
  }

  private static WebSocket take(LinkedBlockingQueue<WebSocket> opened) throws InterruptedException {
    WebSocket ws = opened.poll(30, TimeUnit.SECONDS);
    assertThat(ws).as("a connection opened within 30 s").isNotNull();
    return ws;
  }

  /** Puts each message it receives in a queue: the text, or a copy of the binary's bytes. */
  private static class Collecting implements WebSocketListener {
    private final LinkedBlockingQueue<Object> received;

    Collecting(LinkedBlockingQueue<Object> received) {
      this.received = received;
    }

    @Override
    public void onText(WebSocket w, String text) {
      received.add(text);
    }

    @Override
    public void onBinary(WebSocket w, ByteBuffer data) {
      byte[] copy = new byte[data.remaining()];
      data.get(copy);
      received.add(copy);
    }
  }
}
