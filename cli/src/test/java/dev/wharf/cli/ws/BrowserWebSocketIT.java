package dev.wharf.cli.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.HeadlessChromium;
import dev.wharf.cli.WebSocketEndToEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A real browser against {@code wharf serve}'s WebSocket echo: headless Chromium opens a page that
 * talks to /ws/echo and PUTs what it found to /result.json (serve --upload), which the test waits
 * for and reads.
 */
class BrowserWebSocketIT extends WebSocketEndToEnd {

  @Test
  void chromiumEchoesTextAndBinaryWithDeflate() throws Exception {
    Path www = Files.createDirectory(dir.resolve("www"));
    Files.copy(
        Path.of(getClass().getResource("/browser_ws_check.html").toURI()),
        www.resolve("index.html"));
    int port = serve(www, "--upload");
    Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
    Path result = www.resolve("result.json");

    var chromium =
        HeadlessChromium.open(
            "http://127.0.0.1:" + port + "/", profile, dir.resolve("chromium.log"));
    try {
      assertThat(chromium.awaitFile(result, 60))
          .as("the page's result; Chromium said:\n%s", chromium.logTail())
          .isTrue();
    } finally {
      chromium.stop(); // before JUnit removes the profile it writes to
    }
    assertThat(chromium.members()).isEmpty();
    // Nothing of Chromium's is left outside the test's directory (its singleton socket was).
    assertThat(Files.readSymbolicLink(profile.resolve("SingletonSocket"))).startsWith(dir);

    assertThat(parsedJsonLines(result))
        .containsExactly(
            "{\"bigText\":true,\"binary\":true,\"closeCode\":1000,"
                + "\"extensions\":\"permessage-deflate\",\"text\":true,\"wasClean\":true}");
  }
}
