package dev.wharf.cli.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.TlsEndToEnd;
import dev.wharf.cli.WebSocketEndToEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf ws} to {@code wss://}: serve --tls's WebSocket echo, with the test CA's
 * certificates.
 */
class WssIT extends TlsEndToEnd {

  private int serveTls() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path out = dir.resolve("serve.out");
    wharf(
        null,
        out,
        serveOnLoopbackArgs(
            root,
            "--tls",
            "--cert",
            certs.serverCert().toString(),
            "--key",
            certs.serverKey().toString()));
    return servedPort(out, "https");
  }

  @Test
  void wssWithTheCaTalksToServesEchoAndVerboseTellsTheHandshake() throws Exception {
    int port = serveTls();
    Path in = Files.writeString(dir.resolve("in.txt"), "over tls\nκόσμε\n");
    Path out = dir.resolve("out.txt");
    Child ws =
        ws(
            in,
            out,
            "-v",
            "--deflate",
            "--cacert",
            certs.caCert().toString(),
            "wss://localhost:" + port + "/ws/echo");
    assertThat(ws.awaitExit()).as("stderr: %s", ws.errLines()).isZero();
    assertThat(Files.readString(out)).isEqualTo("over tls\nκόσμε\n");
    assertThat(ws.errLines())
        .anyMatch(
            line ->
                line.matches(
                    "wharf ws: TLSv1\\.3 TLS_\\w+, ALPN http/1\\.1, SNI localhost, certificate"
                        + " CN=localhost .*"))
        .contains(
            "wharf ws: > GET /ws/echo HTTP/1.1",
            "wharf ws: < HTTP/1.1 101 Switching Protocols",
            "wharf ws: open: subprotocol (none), extensions permessage-deflate");
  }

  @Test
  void anUntrustedServerIsOneLineAndExitOne() throws Exception {
    int port = serveTls();
    Child ws = ws(WebSocketEndToEnd.NULL, null, "wss://localhost:" + port + "/ws/echo");
    assertThat(ws.awaitExit()).isEqualTo(1);
    assertThat(ws.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf ws: TLS handshake with localhost:" + port + " failed: ")
        .contains("--cacert");
  }

  @Test
  void pythonWebsocketsOverTlsPassesEveryEchoCheck() throws Exception {
    int port = serveTls();
    Path out = dir.resolve("python.out");
    Child python =
        peer(
            null,
            out,
            "/usr/bin/python3",
            "-u",
            WebSocketEndToEnd.script().toString(),
            "client",
            "wss://localhost:" + port + "/ws/echo",
            "deflate",
            "-",
            certs.caCert().toString());
    assertThat(python.awaitExit()).as(Files.readString(out)).isZero();
    assertThat(Files.readString(out).lines())
        .hasSize(10)
        .allSatisfy(line -> assertThat(line.split("\t")[1]).as(line).isEqualTo("ok"));
  }
}
