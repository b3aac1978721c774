package dev.wharf.cli.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.channels.protocol.Json;
import dev.wharf.cli.Child;
import dev.wharf.cli.DevTools;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.HeadlessChromium;
import dev.wharf.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat demo of {@code wharf serve --channels} in headless Chromium: two browser contexts (two
 * people's browsers: separate storage and connections) chat through the ES module client, and one
 * that loses its connection reconnects by itself and recovers, with nothing lost or doubled. The
 * test reads the pages' content over the DevTools protocol.
 */
@Timeout(180)
class BrowserChatIT extends EndToEnd {

  private static String lines(DevTools devTools, String session) throws Exception {
    return Json.stringValue(
        devTools.evaluate(
            session,
            "[...document.querySelectorAll('#log li')].map(li => li.textContent).join('|')"));
  }

  private static void say(DevTools devTools, String session, String text) throws Exception {
    devTools.evaluate(
        session,
        "document.getElementById('text').value = '"
            + text
            + "'; document.getElementById('send').click(); true");
  }

  @Test
  void twoBrowsersChatAndOneRecoversWhatItMissedAfterLosingItsConnection() throws Exception {
    int port = serveOnLoopback(Map.of(), dir, "--channels", "--quiet");
    String chat = "http://127.0.0.1:" + port + "/_wharf/chat?channel=chat:test&name=";
    var chromium = HeadlessChromium.forDevTools(dir);
    try (DevTools devTools = DevTools.attach(chromium.profile())) {
      String ann = devTools.openInNewContext(chat + "Ann");
      String bob = devTools.openInNewContext(chat + "Bob");
      for (String page : List.of(ann, bob)) {
        devTools.await(
            page, "connected", "document.getElementById('status').textContent === 'connected'");
      }
      devTools.await(ann, "two here", "document.getElementById('who').textContent === '2'");

      say(devTools, ann, "hello Bob");
      devTools.await(
          bob,
          "Ann's message at Bob's",
          "document.getElementById('log').textContent.includes('hello Bob')");
      say(devTools, bob, "hi Ann");
      devTools.await(
          ann,
          "Bob's reply at Ann's",
          "document.getElementById('log').textContent.includes('hi Ann')");
      assertThat(lines(devTools, ann)).isEqualTo("Ann: hello Bob|Bob: hi Ann");
      assertThat(lines(devTools, bob)).isEqualTo("Ann: hello Bob|Bob: hi Ann");

      // Bob's connection drops (closed from his side, not by the client's close()): Ann goes on
      // talking, and Bob's client reconnects and subscribes with since.
      devTools.evaluate(
          bob,
          "window.recoveries = 0; window.wharfChat.client.subscriptions.get('chat:test')"
              + ".handlers.recovered = (ok) => { if (ok) window.recoveries++; };"
              + " window.wharfChat.client.socket.close(); true");
      for (int i = 1; i <= 5; i++) {
        say(devTools, ann, "while away " + i);
      }
      devTools.await(bob, "Bob recovered", "window.recoveries === 1");
      devTools.await(
          bob,
          "all at Bob's",
          "document.getElementById('log').textContent.includes('while away 5')");
      String expected =
          "Ann: hello Bob|Bob: hi Ann|Ann: while away 1|Ann: while away 2|Ann: while away 3"
              + "|Ann: while away 4|Ann: while away 5";
      devTools.await(
          ann,
          "all at Ann's",
          "document.getElementById('log').textContent.includes('while away 5')");
      assertThat(lines(devTools, bob)).isEqualTo(expected);
      assertThat(lines(devTools, ann)).isEqualTo(expected);
      assertThat(devTools.evaluate(bob, "document.getElementById('status').textContent"))
          .isEqualTo("\"connected\"");
    } finally {
      chromium.stop();
    }
    assertThat(chromium.members()).isEmpty();
  }

  /**
   * The browser client's promise (docs/channels.md, "Browser client"): when the server goes away it
   * reconnects by itself with backoff (200 ms doubling to 5 s) and subscribes again. The server is
   * killed (SIGKILL: no close frame) and started again on the same port; the page says it lost the
   * connection, then connects again, says what the restart lost (an in-memory broker's history:
   * {@code recovered(false, reason)}), and chats again. No timing is asserted: each wait's deadline
   * (30 s) is well past the 5 s longest backoff.
   */
  @Test
  void thePageReconnectsAndChatsAgainAfterTheServerRestarts() throws Exception {
    Path out = dir.resolve("serve.out");
    Child first = wharf(null, out, serveOnLoopbackArgs(dir, "--channels", "--quiet"));
    int port = servedPort(out, "http");
    var chromium = HeadlessChromium.forDevTools(dir);
    try (DevTools devTools = DevTools.attach(chromium.profile())) {
      String ann =
          devTools.openInNewContext(
              "http://127.0.0.1:" + port + "/_wharf/chat?channel=chat:restart&name=Ann");
      devTools.await(
          ann, "connected", "document.getElementById('status').textContent === 'connected'");
      say(devTools, ann, "before");
      devTools.await(
          ann, "before", "document.getElementById('log').textContent.includes('before')");
      // Every state the page shows from here on, as a person watching it would see them.
      devTools.evaluate(
          ann,
          "window.states = []; new MutationObserver(() => window.states.push("
              + "document.getElementById('status').textContent)).observe("
              + "document.getElementById('status'), {childList: true, characterData: true,"
              + " subtree: true}); true");

      first.signal("KILL");
      first.awaitExit();
      devTools.await(
          ann,
          "the page says it lost the connection and tries again",
          "window.states.some(s => s.startsWith('disconnected'))"
              + " && window.states.includes('connecting')");

      Path againOut = dir.resolve("serve-again.out");
      wharf(
          null,
          againOut,
          "serve",
          dir.toString(),
          "--port",
          Integer.toString(port),
          "--bind",
          "127.0.0.1",
          "--channels",
          "--quiet");
      assertThat(servedPort(againOut, "http")).isEqualTo(port);
      devTools.await(
          ann, "connected again", "document.getElementById('status').textContent === 'connected'");
      // The new server's in-memory broker has a new epoch: the page says what was lost.
      devTools.await(
          ann,
          "told what the restart lost",
          "document.getElementById('log').textContent.includes('history was lost')");
      say(devTools, ann, "after");
      devTools.await(ann, "after", "document.getElementById('log').textContent.includes('after')");
      assertThat(lines(devTools, ann))
          .startsWith("Ann: before|some messages were lost while away: ")
          .endsWith("|Ann: after");
    } finally {
      chromium.stop();
    }
    assertThat(chromium.members()).isEmpty();
  }

  /**
   * docs/channels.md, "Outages" and "Browser client": a subscribe made while the node's broker is
   * away gets {@code unavailable} once the node's 20 s wait runs out, and the page's client
   * subscribes again by itself with backoff; once Redis is back the chat works. Deadlines only.
   */
  @Test
  void thePageSubscribesAgainWhenTheBrokerComesBack() throws Exception {
    try (var redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")))) {
      Path out = dir.resolve("serve.out");
      Child serve =
          wharf(
              null,
              out,
              serveOnLoopbackArgs(
                  dir, "--channels", "--quiet", "--broker", redis.uri().toString()));
      int port = servedPort(out, "http");
      redis.kill();
      serve.awaitErr("broker " + Pattern.quote(redis.uri().toString()) + " unreachable");
      var chromium = HeadlessChromium.forDevTools(dir);
      try (DevTools devTools = DevTools.attach(chromium.profile())) {
        String ann =
            devTools.openInNewContext(
                "http://127.0.0.1:" + port + "/_wharf/chat?channel=chat:outage&name=Ann");
        devTools.await(
            ann,
            "the node's wait for the broker ran out",
            "document.getElementById('log').textContent.includes("
                + "'cannot subscribe: unavailable: the broker did not answer within 20 s')",
            Duration.ofSeconds(90));
        redis.restart();
        devTools.await(
            ann,
            "subscribed again: presence counts Ann",
            "document.getElementById('who').textContent === '1'",
            Duration.ofSeconds(90));
        say(devTools, ann, "back");
        devTools.await(
            ann, "chat works", "document.getElementById('log').textContent.includes('Ann: back')");
        assertThat(devTools.evaluate(ann, "document.getElementById('status').textContent"))
            .isEqualTo("\"connected\"");
      } finally {
        chromium.stop();
      }
      assertThat(chromium.members()).isEmpty();
    }
  }
}
