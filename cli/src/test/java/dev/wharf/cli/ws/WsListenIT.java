package dev.wharf.cli.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.WebSocketEndToEnd;
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
    EndToEnd.awaitMatch(out, Pattern.compile("(from python 2\n\u0000\u00ffbin)"));
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
    EndToEnd.awaitMatch(talk, Pattern.compile("(closed\t1000)"));
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

  @Test
  void keepOpenServesTlsPeersOneAfterAnotherAndTellsOthersItIsBusy() throws Exception {
    Path out = dir.resolve("listen.out");
    Child listen = ws(null, out, "--listen", "127.0.0.1:0", "-k", "--tls", "-v");
    // The self-signed certificate is always told: clients cannot connect without it.
    String cert =
        listen.awaitErr("wharf ws: TLS certificate: (\\S+) \\(self-signed; SHA-256 ").group(1);
    int port =
        Integer.parseInt(
            listen.awaitErr("listening on tcp 127\\.0\\.0\\.1:(\\d+) with TLS").group(1));
    String url = "wss://127.0.0.1:" + port + "/";
    OutputStream stdin = listen.process().getOutputStream();

    // python3-websockets, checking the certificate against the one printed.
    Path first = dir.resolve("first.out");
    python(first, "reply", url + "one", "from python 1", cert);
    EndToEnd.awaitMatch(out, Pattern.compile("(from python 1\n)"));
    // -v tells the handshake of the upgrade's connection.
    listen.awaitErr("wharf ws: TLSv1\\.3 \\S+, ALPN \\S+, SNI \\S+, no client certificate");
    stdin.write("to python 1\n".getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    EndToEnd.awaitMatch(first, Pattern.compile("(closed\t1000)"));
    assertThat(read(first)).isEqualTo("text\tto python 1\nclosed\t1000\t\n");

    Path second = dir.resolve("second.out");
    python(second, "reply", url + "two", "from python 2", cert);
    EndToEnd.awaitMatch(out, Pattern.compile("(from python 2\n)"));
    // While it is served, a third peer is told at once that the server is busy.
    Child third = ws(NULL, null, "--cacert", cert, url);
    third.assertExitsWith(1, "wharf ws: handshake refused: 503 Service Unavailable");
    stdin.write("to python 2\n".getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    EndToEnd.awaitMatch(second, Pattern.compile("(closed\t1000)"));
    assertThat(read(second)).isEqualTo("text\tto python 2\nclosed\t1000\t\n");
    assertThat(read(out)).isEqualTo("from python 1\nfrom python 2\n");

    // The end of stdin closes nobody: a wharf ws client is served next, and it closes.
    stdin.close();
    Child client = ws(null, null, "--cacert", cert, url + "four");
    listen.awaitErr("wharf ws: < GET /four HTTP/1.1");
    try (OutputStream clientIn = client.process().getOutputStream()) {
      clientIn.write("from wharf\n".getBytes(StandardCharsets.UTF_8));
      clientIn.flush();
      EndToEnd.awaitMatch(out, Pattern.compile("(from wharf\n)"));
      assertThat(listen.process().isAlive()).isTrue();
    } // The client's stdin ends: it closes with 1000.
    assertThat(client.awaitExit()).isZero();

    // SIGTERM with no peer: nothing to close.
    listen.awaitErr("^wharf ws: closed: 1000 \\(normal\\)$", 3);
    listen.signal("TERM");
    assertThat(listen.awaitExit()).isEqualTo(143);
    assertThat(listen.errLines())
        .noneMatch(line -> line.contains("sending Close"))
        .filteredOn(line -> line.equals("wharf ws: closed: 1000 (normal)"))
        .hasSize(3);
  }
}
