package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real {@code wharf ws --listen} with python3-websockets' client as the peer. */
class WsListenIT extends WebSocketEndToEnd {

  @Test
  void pipesOneWebSocketToStdinAndStdout() throws Exception {
    Path out = dir.resolve("listen.out");
    Child listen = ws(null, out, "--listen", "127.0.0.1:0", "-v");
    int port = listeningPort(listen, "tcp");

    Path talk = dir.resolve("talk.out");
    python(talk, "talk", "ws://127.0.0.1:" + port + "/any/path?x=1");
    // What python sent is on our stdout: text on lines, binary as it is.
    ServeAndGetIT.awaitMatch(out, Pattern.compile("(from python 2\n\u0000\u00ffbin)"));
    assertThat(java.nio.file.Files.readAllBytes(out))
        .isEqualTo(
            "from python 1\nfrom python 2\n\u0000\u00ffbin".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(listen.errLines())
        .contains(
            "wharf ws: < GET /any/path?x=1 HTTP/1.1",
            "wharf ws: < Upgrade: websocket",
            "wharf ws: open: subprotocol (none), extensions (none)");

    // One connection, as wharf listen: the listening socket is closed now.
    Child second = ws(NULL, null, "ws://127.0.0.1:" + port + "/");
    assertThat(second.awaitExit()).isEqualTo(1);
    assertThat(second.errLines()).first().asString().contains("connection refused");

    // Our stdin goes to python, and its end closes with 1000.
    try (OutputStream stdin = listen.process().getOutputStream()) {
      stdin.write("from wharf 1\nfrom wharf 2\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(listen.awaitExit()).isZero();
    ServeAndGetIT.awaitMatch(talk, Pattern.compile("(closed\t1000)"));
    assertThat(read(talk)).isEqualTo("text\tfrom wharf 1\ntext\tfrom wharf 2\nclosed\t1000\t\n");
    assertThat(listen.errLines())
        .contains(
            "wharf ws: sending Close 1000 (normal): stdin ended",
            "wharf ws: closed: 1000 (normal)");
  }

  @Test
  void withDeflateAndASubprotocolItAgreesToWhatTheClientOffers() throws Exception {
    Child listen =
        ws(null, null, "--listen", "127.0.0.1:0", "-v", "--deflate", "--subprotocol", "chat");
    int port = listeningPort(listen, "tcp");
    Path out = dir.resolve("client.jsonl");
    Child client =
        ws(
            null,
            out,
            "--jsonl",
            "--deflate",
            "--subprotocol",
            "other",
            "--subprotocol",
            "chat",
            "ws://127.0.0.1:" + port + "/");
    listen.awaitErr("open: subprotocol chat, extensions permessage-deflate");
    try (OutputStream stdin = listen.process().getOutputStream()) {
      stdin.write(("compressible " + "a".repeat(10_000) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    assertThat(listen.awaitExit()).isZero();
    assertThat(client.awaitExit()).isZero();
    assertThat(parsedJsonLines(out))
        .containsExactly(
            "{\"extensions\":\"permessage-deflate\",\"subprotocol\":\"chat\",\"type\":\"open\"}",
            "{\"data\":\"compressible " + "a".repeat(10_000) + "\",\"type\":\"text\"}",
            "{\"code\":1000,\"reason\":\"\",\"type\":\"close\"}");
  }
}
