package dev.wharf.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.TlsEndToEnd;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A channels client over wss:// as the admin listener shows it: its row of the socket table says
 * the protocol with TLS ({@code websocket+tls}, what the dashboard prints) and the channel it
 * subscribed to. The client is python3-websockets trusting the test CA.
 */
@Timeout(180)
class AdminTlsChannelsIT extends TlsEndToEnd {
  private static final Duration SLOW = Duration.ofSeconds(60);

  /** Subscribes over wss with the CA given, prints "subscribed LOCAL_PORT", then waits. */
  private static final String WSS_SUBSCRIBER =
      """
      import asyncio, json, ssl, sys
      import websockets

      async def main(url, ca):
          context = ssl.create_default_context(cafile=ca)
          async with websockets.connect(url, ssl=context) as ws:
              await ws.send(json.dumps({"op": "subscribe", "id": 1, "channel": "news"}))
              reply = json.loads(await ws.recv())
              assert reply.get("ok"), reply
              print("subscribed", ws.local_address[1], flush=True)
              await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

      asyncio.run(main(sys.argv[1], sys.argv[2]))
      """;

  /** Each connection of /api/sockets as "REMOTE PROTOCOL CHANNELS". */
  private static final String ROWS =
      """
      import json, sys
      for c in json.load(sys.stdin)["connections"]:
          print(c["remote"], c["protocol"], ",".join(c["channels"]))
      """;

  /** A started serve: its HTTPS port and its admin listener's socket table. */
  private record Served(int port, String socketsUrl) {}

  /** serve --tls --channels --admin on loopback, with the test CA's server certificate. */
  private Served serveTlsChannelsWithAdmin() throws Exception {
    Path out = dir.resolve("serve.out");
    wharf(
        null,
        out,
        serveOnLoopbackArgs(
            dir,
            "--quiet",
            "--tls",
            "--cert",
            certs.serverCert().toString(),
            "--key",
            certs.serverKey().toString(),
            "--channels",
            "--admin",
            "127.0.0.1:0"));
    int port = servedPort(out, "https");
    String admin =
        awaitMatch(out, Pattern.compile("Admin dashboard on http://127\\.0\\.0\\.1:(\\d+)/"));
    return new Served(port, "http://127.0.0.1:" + admin + "/api/sockets");
  }

  @Test
  void aWssChannelsClientIsShownAsWebSocketOverTlsWithItsChannel() throws Exception {
    Served served = serveTlsChannelsWithAdmin();
    int port = served.port();
    String sockets = served.socketsUrl();

    Path script = Files.writeString(dir.resolve("wss_subscriber.py"), WSS_SUBSCRIBER);
    Path subOut = dir.resolve("sub.out");
    peer(
        null,
        subOut,
        "/usr/bin/python3",
        "-u",
        script.toString(),
        "wss://127.0.0.1:" + port + "/ws/channels",
        certs.caCert().toString());
    String clientPort = awaitMatch(subOut, Pattern.compile("subscribed (\\d+)"));

    String row = "127.0.0.1:" + clientPort + " websocket+tls news";
    Await.until(
        "the wss client's row: " + row,
        SLOW,
        Duration.ofMillis(200),
        () -> rows(sockets).lines().anyMatch(row::equals));
  }

  @Test
  void subAndPubSpeakWssWithTheCaAndSubIsShownAsWebSocketOverTls() throws Exception {
    Served served = serveTlsChannelsWithAdmin();
    String url = "wss://127.0.0.1:" + served.port() + "/ws/channels";
    String sockets = served.socketsUrl();
    String ca = certs.caCert().toString();
    Path subOut = dir.resolve("sub.out");
    Child sub = wharf(null, subOut, "sub", "-v", "--cacert", ca, url, "news", "--count", "1");
    sub.awaitErr("news: subscribed at \\w+:0");
    Await.until(
        "sub's row, websocket+tls on news",
        SLOW,
        Duration.ofMillis(200),
        () -> rows(sockets).lines().anyMatch(l -> l.endsWith(" websocket+tls news")));
    Child pub = wharf(null, dir.resolve("pub.out"), "pub", "--cacert", ca, url, "news", "hello");
    assertThat(pub.awaitExit(SLOW)).as("pub: %s", pub.errLines()).isZero();
    assertThat(sub.awaitExit(SLOW)).as("sub: %s", sub.errLines()).isZero();
    assertThat(Files.readString(subOut)).isEqualTo("hello\n");

    // Without the CA, a certificate the system does not trust is refused in one line.
    Child refused = wharf(null, dir.resolve("refused.out"), "sub", url, "news");
    assertThat(refused.awaitExit(SLOW)).isEqualTo(1);
    assertThat(refused.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf sub: cannot connect to " + url + ": ");
  }

  /** /api/sockets read by curl, its connections as python's json reads them. */
  private String rows(String sockets) throws Exception {
    var curl = ExternalProcess.run(SLOW, "curl", "-sS", "-m", "30", sockets);
    assertThat(curl.exit()).as("curl: %s", curl.err()).isZero();
    Path json = Files.writeString(Files.createTempFile(dir, "sockets", ".json"), curl.out());
    var python = ExternalProcess.command("/usr/bin/python3", "-c", ROWS).input(json).run(SLOW);
    assertThat(python.exit()).as("python: %s", python.err()).isZero();
    return python.out();
  }
}
