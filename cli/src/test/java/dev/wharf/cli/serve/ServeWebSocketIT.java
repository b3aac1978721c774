package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.WebSocketEndToEnd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code wharf serve}'s WebSocket echo at /ws/echo, with wharf ws and python3-websockets. */
class ServeWebSocketIT extends WebSocketEndToEnd {

  @Test
  void wharfWsTalksToServesEcho() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")));
    String url = "ws://127.0.0.1:" + port + "/ws/echo";
    Path in = Files.writeString(dir.resolve("in.txt"), "one\ntwo\n");
    Path out = dir.resolve("out.txt");
    Child text = ws(in, out, url);
    assertThat(text.awaitExit()).isZero();
    assertThat(read(out)).isEqualTo("one\ntwo\n");

    Path bin = randomFile("in.bin", 3 << 20);
    Path binOut = dir.resolve("out.bin");
    Child binary = ws(bin, binOut, "-b", "--deflate", url);
    assertThat(binary.awaitExit()).isZero();
    assertThat(sha256(binOut)).isEqualTo(sha256(bin));

    Child missing = ws(NULL, null, "ws://127.0.0.1:" + port + "/ws/nope");
    missing.assertExitsWith(1, "wharf ws: handshake refused: 404 Not Found");
  }

  @Test
  void pythonWebsocketsClientPassesEveryEchoCheck() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")));
    for (String mode : new String[] {"deflate", "plain"}) {
      Path out = dir.resolve("client-" + mode + ".out");
      Child client = python(out, "client", "ws://127.0.0.1:" + port + "/ws/echo", mode);
      assertThat(client.awaitExit()).as("python client (%s): %s", mode, read(out)).isZero();
      assertThat(read(out).lines())
          .hasSize(10)
          .allSatisfy(line -> assertThat(line.split("\t")[1]).as(line).isEqualTo("ok"));
    }
  }

  @Test
  void aPlainGetIsToldToUpgrade() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")));
    assertThat(curlWithStatus("-i", "http://127.0.0.1:" + port + "/ws/echo"))
        .startsWith("HTTP/1.1 426 Upgrade Required")
        .contains("Upgrade: websocket", "Sec-WebSocket-Version: 13")
        .endsWith(" 426");
  }

  @Test
  void withAuthTheUpgradeNeedsThePassword() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")), "--auth", "ann:s3cret");
    String url = "ws://127.0.0.1:" + port + "/ws/echo";
    Child anonymous = ws(NULL, null, url);
    anonymous.assertExitsWith(1, "wharf ws: handshake refused: 401 Unauthorized");

    String basic = Base64.getEncoder().encodeToString("ann:wrong".getBytes(StandardCharsets.UTF_8));
    Child wrong = ws(NULL, null, "-H", "Authorization: Basic " + basic, url);
    assertThat(wrong.awaitExit()).isEqualTo(1);

    String right =
        Base64.getEncoder().encodeToString("ann:s3cret".getBytes(StandardCharsets.UTF_8));
    Path in = Files.writeString(dir.resolve("in.txt"), "let me in\n");
    Path out = dir.resolve("out.txt");
    Child allowed = ws(in, out, "-H", "Authorization: Basic " + right, url);
    assertThat(allowed.awaitExit()).isZero();
    assertThat(read(out)).isEqualTo("let me in\n");

    Path py = dir.resolve("python.out");
    Child python = python(py, "client", url, "deflate", "ann:s3cret");
    assertThat(python.awaitExit()).as(read(py)).isZero();
    assertThat(read(py)).doesNotContain("FAIL");
  }

  @Test
  void autobahnCasesOf16MiBMessagesAndSmallWindowsPass() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")));
    // 9.1.5-9.2.6: 8 and 16 MiB in one frame; 13.3, 13.5: server_max_window_bits=9.
    List<String> results = autobahn("ws://127.0.0.1:" + port + "/ws/echo", "9.1,9.2,13.3,13.5");
    assertThat(results).hasSize(18).allSatisfy(line -> assertThat(line).contains("\tok\t"));
  }

  @Test
  void wsMaxMessageLowersTheEchosLimitTo1009() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")), "--ws-max-message", "1M");
    // Frames, fragmented messages and a deflated message past 1 MiB: each closed with 1009.
    List<String> results = autobahn("ws://127.0.0.1:" + port + "/ws/echo", "9.9,9.10");
    assertThat(results).hasSize(4).allSatisfy(line -> assertThat(line).contains("\tok\t"));
  }

  /** The Autobahn cases of the websocket module's tests, run by python3-autobahn. */
  private List<String> autobahn(String url, String cases) throws Exception {
    Path script = Path.of("../websocket/src/test/python/autobahn_cases.py").toAbsolutePath();
    Path out = dir.resolve("autobahn.out");
    Child python = peer(null, out, "/usr/bin/python3", script.toString(), "client", url, cases);
    assertThat(python.awaitExit(Duration.ofSeconds(50)))
        .as("%s%s", read(out), python.errLines())
        .isZero();
    List<String> lines = read(out).lines().toList();
    assertThat(lines).isNotEmpty();
    return lines.subList(1, lines.size()); // after "CASES <n>"
  }
}
