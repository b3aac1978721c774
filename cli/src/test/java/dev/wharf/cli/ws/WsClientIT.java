package dev.wharf.cli.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.WebSocketEndToEnd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The real {@code wharf ws} against python3-websockets' server ({@code websockets_peer.py server}).
 */
class WsClientIT extends WebSocketEndToEnd {
  // python3-websockets answers a Close at once, from its reader, while its handler may still hold
  // messages to echo (it then cannot send them): so these tests wait with --exit-after for every
  // echo before closing, as a script talking to such a server would.

  @Test
  void eachLineGoesOutAsAMessageAndEachEchoIsPrintedOnALine() throws Exception {
    int port = pythonServer();
    String lines = "hello\n\nκόσμε 😀\n" + "x".repeat(200_000) + "\nno newline at the end";
    Path in = Files.writeString(dir.resolve("in.txt"), lines);
    Path out = dir.resolve("out.txt");
    Child ws = ws(in, out, "--exit-after", "5", "ws://127.0.0.1:" + port + "/echo");
    assertThat(ws.awaitExit()).isZero();
    assertThat(read(out)).isEqualTo(lines + "\n");
    assertThat(ws.errLines()).isEmpty();
    // Our Close (1000) reached the server.
    EndToEnd.awaitMatch(
        dir.resolve("python-server.out"), java.util.regex.Pattern.compile("(closed\t1000)"));
  }

  @Test
  void binaryFilesPassThroughUnchangedWithDeflate() throws Exception {
    int port = pythonServer();
    Path in = randomFile("in.bin", 1 << 20);
    Path out = dir.resolve("out.bin");
    // A regular file reads in whole 64 KiB chunks: 16 messages.
    Child ws =
        ws(
            in,
            out,
            "--binary",
            "--deflate",
            "--exit-after",
            "16",
            "-v",
            "ws://127.0.0.1:" + port + "/echo");
    assertThat(ws.awaitExit()).isZero();
    assertThat(sha256(out)).isEqualTo(sha256(in));
    assertThat(ws.errLines())
        .contains(
            // RFC 7692 §7.1.2.2: offered as browsers do; the server may name a smaller window.
            "wharf ws: > Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            "wharf ws: open: subprotocol (none), extensions permessage-deflate");
  }

  @Test
  void jsonLinesTellEveryEventAndHeadersAndSubprotocolReachTheServer() throws Exception {
    int port = pythonServer();
    Path in = Files.writeString(dir.resolve("in.txt"), "hi \"there\"\n");
    Path out = dir.resolve("out.jsonl");
    Child ws =
        ws(
            in,
            out,
            "--jsonl",
            "--exit-after",
            "2",
            "--subprotocol",
            "chat",
            "-H",
            "X-Name: ann",
            "ws://127.0.0.1:" + port + "/hello");
    assertThat(ws.awaitExit()).isZero();
    assertThat(parsedJsonLines(out))
        .containsExactly(
            "{\"extensions\":\"\",\"subprotocol\":\"chat\",\"type\":\"open\"}",
            "{\"data\":\"hello ann\",\"type\":\"text\"}",
            "{\"data\":\"hi \\\"there\\\"\",\"type\":\"text\"}",
            "{\"code\":1000,\"reason\":\"\",\"type\":\"close\"}");

    Path binary = dir.resolve("binary.jsonl");
    Child second =
        ws(NULL, binary, "--jsonl", "--exit-after", "1", "ws://127.0.0.1:" + port + "/binary");
    assertThat(second.awaitExit()).isZero();
    assertThat(parsedJsonLines(binary))
        .containsExactly(
            "{\"extensions\":\"\",\"subprotocol\":null,\"type\":\"open\"}",
            "{\"base64\":\"AAH/\",\"type\":\"binary\"}",
            "{\"code\":1000,\"reason\":\"\",\"type\":\"close\"}");
  }

  @Test
  void exitAfterClosesOnceThatManyMessagesCame() throws Exception {
    int port = pythonServer();
    Path out = dir.resolve("out.txt");
    // stdin is empty: with --exit-after its end does not close, the messages are awaited.
    Child ws = ws(NULL, out, "--exit-after", "3", "-v", "ws://127.0.0.1:" + port + "/push/5");
    assertThat(ws.awaitExit()).isZero();
    assertThat(read(out)).isEqualTo("push 1\npush 2\npush 3\n");
    assertThat(ws.errLines())
        .contains(
            "wharf ws: sending Close 1000 (normal): received 3 messages (--exit-after)",
            "wharf ws: closed: 1000 (normal)");
  }

  @Test
  void verboseTellsTheUpgradeAndTheCloseCodeAndAnotherCodeFails() throws Exception {
    int port = pythonServer();
    // stdin stays open (a pipe): the server is the one that closes.
    Child failed = ws(null, null, "-v", "ws://127.0.0.1:" + port + "/close/4001");
    assertThat(failed.awaitExit()).isEqualTo(1);
    assertThat(failed.errLines())
        .contains(
            "wharf ws: > GET /close/4001 HTTP/1.1",
            "wharf ws: > Host: 127.0.0.1:" + port,
            "wharf ws: > Upgrade: websocket",
            "wharf ws: > Sec-WebSocket-Version: 13",
            "wharf ws: < HTTP/1.1 101 Switching Protocols",
            "wharf ws: < Connection: Upgrade",
            "wharf ws: closed: 4001 \"bye\"")
        .anyMatch(line -> line.startsWith("wharf ws: < Sec-WebSocket-Accept: "))
        .last()
        .isEqualTo("wharf ws: closed by the peer with 4001: \"bye\"");

    Child normal = ws(null, null, "ws://127.0.0.1:" + port + "/close/1000");
    assertThat(normal.awaitExit()).isZero();
    assertThat(normal.errLines()).isEmpty();
  }

  @Test
  void reconnectComesBackAfterADropAndAnotherCode() throws Exception {
    int port = pythonServer();
    Path out = dir.resolve("out.txt");
    Child ws =
        ws(NULL, out, "--reconnect", "--exit-after", "3", "ws://127.0.0.1:" + port + "/flaky");
    assertThat(ws.awaitExit()).isZero();
    assertThat(read(out)).isEqualTo("first\nsecond\nthird\n");
    assertThat(ws.errLines())
        .hasSize(2)
        .first()
        .asString()
        .startsWith("wharf ws: connection lost: ")
        .endsWith("; reconnecting in 500 ms (attempt 1 of 5)");
    assertThat(ws.errLines().get(1))
        .isEqualTo(
            "wharf ws: closed by the peer with 1012 (service restart): \"restart\"; reconnecting"
                + " in 1 s (attempt 2 of 5)");
  }

  @Test
  void pingTellsTheRoundTrip() throws Exception {
    int port = pythonServer();
    Child ws = ws(null, null, "--ping", "0.2", "-v", "ws://127.0.0.1:" + port + "/echo");
    ws.awaitErr("wharf ws: ping sent");
    ws.awaitErr("wharf ws: pong received after \\d+\\.\\d ms");
    ws.process().getOutputStream().close(); // stdin ends: Close 1000
    assertThat(ws.awaitExit()).isZero();
  }

  @Test
  void failuresAreOneLineAndANonZeroExit() throws Exception {
    int closed = closedPort();
    Child refused = ws(NULL, null, "ws://127.0.0.1:" + closed + "/");
    refused.assertExitsWith(
        1, "wharf ws: connection refused: 127.0.0.1:" + closed + " (nothing is listening there)");

    Child badUrl = ws(NULL, null, "http://127.0.0.1/");
    assertThat(badUrl.awaitExit()).isEqualTo(2);
    assertThat(badUrl.errLines())
        .first()
        .isEqualTo("wharf ws: the URL must start with ws:// (or wss://), got 'http://127.0.0.1/'");
  }

  @Test
  void aPeerThatIsNotWebSocketRefusesTheHandshake() throws Exception {
    // A plain HTTP server (python's http.server) answers the upgrade with 404.
    Path root = Files.createDirectory(dir.resolve("www"));
    Path out = dir.resolve("http.out");
    int port = pythonHttpServer(root, out);
    Child ws = ws(NULL, null, "ws://127.0.0.1:" + port + "/nothing-here");
    ws.assertExitsWith(1, "wharf ws: handshake refused: 404 File not found");
    assertThat(new String(Files.readAllBytes(out), StandardCharsets.UTF_8)).contains("Serving");
  }
}
