package dev.wharf.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.DevTools;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.HeadlessChromium;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin dashboard in headless Chromium: rows appear and vanish as the test opens and closes
 * connections to the served port (pushed over the page's WebSocket, which the page never polls),
 * the charts fill with samples that count the requests made, and the channels section shows a
 * subscriber and its publications. The test reads the page's content over the DevTools protocol.
 */
@Timeout(240)
class AdminDashboardBrowserIT extends EndToEnd {

  private static String row(int clientPort) {
    return "document.querySelector('#connections tr[data-remote=\"127.0.0.1:"
        + clientPort
        + "\"]')";
  }

  @Test
  void rowsComeAndGoWithConnectionsAndTheChartsAndChannelsFillIn() throws Exception {
    Files.writeString(dir.resolve("index.html"), "hello");
    Path out = Files.createTempFile(dir, "serve", ".out");
    wharf(
        Map.of(),
        null,
        out,
        serveOnLoopbackArgs(dir, "--quiet", "--channels", "--admin", "127.0.0.1:0"));
    int served = servedPort(out, "http");
    int admin =
        Integer.parseInt(
            awaitMatch(out, Pattern.compile("Admin dashboard on http://127\\.0\\.0\\.1:(\\d+)/")));

    var chromium = HeadlessChromium.forDevTools(dir);
    try (DevTools devTools = DevTools.attach(chromium.profile())) {
      String page = devTools.openInNewContext("http://127.0.0.1:" + admin + "/");
      devTools.await(page, "live", "document.getElementById('status').textContent === 'live'");
      devTools.await(
          page,
          "the served listener",
          "document.getElementById('listeners').textContent.includes('127.0.0.1:" + served + "')");

      var first = new Socket();
      try (var second = new Socket()) {
        first.connect(new InetSocketAddress("127.0.0.1", served), 10_000);
        second.connect(new InetSocketAddress("127.0.0.1", served), 10_000);
        devTools.await(page, "the first connection's row", row(first.getLocalPort()) + " !== null");
        devTools.await(
            page, "the second connection's row", row(second.getLocalPort()) + " !== null");
        assertThat(
                devTools.evaluate(
                    page, row(first.getLocalPort()) + ".textContent.includes('http/1.1')"))
            .isEqualTo("true");

        int firstPort = first.getLocalPort();
        first.close(); // the client goes: its row must go
        devTools.await(page, "the first row gone", row(firstPort) + " === null");
        assertThat(devTools.evaluate(page, row(second.getLocalPort()) + " !== null"))
            .isEqualTo("true");
      } finally {
        first.close();
      }

      // Requests per second: some requests, then a sample that counted them.
      for (int i = 0; i < 5; i++) {
        var curl =
            ExternalProcess.command(
                    "curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:" + served + "/")
                .run(Duration.ofSeconds(60));
        assertThat(curl.exit()).as(curl.err()).isZero();
      }
      devTools.await(
          page,
          "a sample with requests",
          "window.wharfDashboard.data.requests.some(r => r > 0)"
              + " && window.wharfDashboard.data.bytesOut.some(b => b > 0)");
      devTools.await(
          page,
          "several samples in each chart",
          "Object.values(window.wharfDashboard.charts).every(c => c.data[0].length >= 3)");
      assertThat(devTools.evaluate(page, "document.querySelectorAll('.chart canvas').length >= 3"))
          .isEqualTo("true");

      // Channels: a subscriber and three publications show in the channels section.
      String channels = "ws://127.0.0.1:" + served + "/ws/channels";
      Child subscriber =
          wharf(null, Files.createTempFile(dir, "sub", ".out"), "sub", channels, "news");
      devTools.await(
          page,
          "the subscriber's channel",
          "document.querySelector('#channels tr[data-channel=\"news\"]') !== null"
              + " && document.querySelector('#channels tr[data-channel=\"news\"]')"
              + ".cells[1].textContent === '1'");
      devTools.await(
          page,
          "the subscriber's connection with its channel",
          "[...document.querySelectorAll('#connections tr')].some(tr => tr.cells.length === 10"
              + " && tr.cells[3].textContent === 'websocket' && tr.cells[9].textContent === 'news')");
      for (int i = 1; i <= 3; i++) {
        Child publisher =
            wharf(
                null, Files.createTempFile(dir, "pub", ".out"), "pub", channels, "news", "\"hi\"");
        assertThat(publisher.awaitExit(Duration.ofSeconds(60))).isZero();
      }
      devTools.await(
          page,
          "three publications",
          "document.querySelector('#channels tr[data-channel=\"news\"]').cells[2].textContent"
              + " === '3'");
      assertThat(devTools.evaluate(page, "document.getElementById('broker-state').textContent"))
          .isEqualTo("\"connected\"");
      subscriber.end();
    } finally {
      chromium.stop();
    }
    assertThat(chromium.members()).isEmpty();
  }
}
