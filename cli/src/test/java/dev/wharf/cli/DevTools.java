package dev.wharf.cli;

import dev.wharf.channels.protocol.Json;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.Await;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketClient;
import dev.wharf.websocket.WebSocketListener;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Chrome DevTools Protocol of a {@link HeadlessChromium} started with {@code
 * --remote-debugging-port=0}, over Wharf's own WebSocket client: browser contexts (separate cookies
 * and storage, as two people's browsers), pages in them, and JavaScript evaluated in a page, so
 * that a test reads what the page shows. Replies are read as raw JSON fields (channels' {@link
 * Json}).
 */
public final class DevTools implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EventLoopGroup group = new EventLoopGroup(1, "devtools", true);
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, CompletableFuture<Map<String, String>>> pending =
      new ConcurrentHashMap<>();
  private final Queue<Map<String, String>> events = new ConcurrentLinkedQueue<>();
  private final WebSocket socket;

  private DevTools(URI browser) throws Exception {
    var listener =
        new WebSocketListener() {
          @Override
          public void onText(WebSocket ws, String text) {
            Map<String, String> fields = Json.fields(text);
            String id = fields.get("id");
            var waiting = id == null ? null : pending.remove(id);
            if (waiting != null) {
              waiting.complete(fields);
            } else if (id == null && fields.containsKey("method")) {
              events.add(fields); // An event of a domain enabled (Network.enable, ...).
            }
          }
        };
    socket =
        WebSocketClient.builder(group)
            .build()
            .connect(browser, listener)
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Connects to the browser whose profile is {@code profile}, once it has written its port. */
  public static DevTools attach(Path profile) throws Exception {
    Path activePort = profile.resolve("DevToolsActivePort");
    Await.until(
        "Chromium's DevToolsActivePort",
        WAIT,
        () -> Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2);
    List<String> lines = Files.readAllLines(activePort);
    return new DevTools(URI.create("ws://127.0.0.1:" + lines.get(0) + lines.get(1)));
  }

  /**
   * Calls a method; {@code params} is a JSON object's text. Returns the reply's {@code result}
   * fields.
   */
  public Map<String, String> call(String sessionId, String method, String params) throws Exception {
    String id = Long.toString(ids.incrementAndGet());
    var reply = new CompletableFuture<Map<String, String>>();
    pending.put(id, reply);
    socket.sendText(
        "{\"id\":"
            + id
            + (sessionId == null ? "" : ",\"sessionId\":" + Json.quote(sessionId))
            + ",\"method\":"
            + Json.quote(method)
            + ",\"params\":"
            + params
            + "}");
    Map<String, String> fields = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (fields.containsKey("error")) {
      throw new IOException(method + " failed: " + fields.get("error"));
    }
    return Json.fields(fields.get("result"));
  }

  /**
   * The events named {@code method} (such as {@code Network.responseReceived}) received so far, in
   * order, each as the raw JSON fields of its message ({@code params}, {@code sessionId}); only the
   * domains enabled in a session send any.
   */
  public List<Map<String, String>> events(String method) {
    String quoted = Json.quote(method);
    return events.stream().filter(event -> quoted.equals(event.get("method"))).toList();
  }

  /** A new browser context (an incognito-like profile) with a page at {@code url}; its session. */
  public String openInNewContext(String url) throws Exception {
    String context =
        Json.stringValue(call(null, "Target.createBrowserContext", "{}").get("browserContextId"));
    String target =
        Json.stringValue(
            call(
                    null,
                    "Target.createTarget",
                    "{\"url\":"
                        + Json.quote(url)
                        + ",\"browserContextId\":"
                        + Json.quote(context)
                        + "}")
                .get("targetId"));
    return Json.stringValue(
        call(
                null,
                "Target.attachToTarget",
                "{\"targetId\":" + Json.quote(target) + ",\"flatten\":true}")
            .get("sessionId"));
  }

  /** Evaluates a JavaScript expression in the page; its value as JSON text (undefined: "null"). */
  public String evaluate(String session, String expression) throws Exception {
    Map<String, String> result =
        call(
            session,
            "Runtime.evaluate",
            "{\"expression\":"
                + Json.quote(expression)
                + ",\"returnByValue\":true,\"awaitPromise\":true}");
    Map<String, String> value = Json.fields(result.get("result"));
    if (result.containsKey("exceptionDetails")) {
      throw new AssertionError("the page threw: " + result.get("exceptionDetails"));
    }
    return value.getOrDefault("value", "null");
  }

  /**
   * Waits until a JavaScript expression is true in the page (one that throws, as on a page still
   * loading, is not true yet).
   */
  public void await(String session, String what, String expression) {
    await(session, what, expression, WAIT);
  }

  /** As {@link #await(String, String, String)}, for as long as {@code wait}. */
  public void await(String session, String what, String expression, Duration wait) {
    String guarded =
        "(() => { try { return !!(" + expression + "); } catch (e) { return false; } })()";
    Await.until(what, wait, Duration.ofMillis(50), () -> evaluate(session, guarded).equals("true"));
  }

  @Override
  public void close() {
    socket.abort();
    group.close();
  }
}
