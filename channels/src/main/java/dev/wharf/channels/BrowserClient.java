package dev.wharf.channels;

import dev.wharf.http.server.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The browser side, served from this module's jar: the ES module client ({@link #SCRIPT_PATH}) that
 * reconnects with backoff and recovers with {@code since} by itself, and the chat demo page ({@link
 * #CHAT_PATH}) that uses it. {@code wharf serve --channels} serves both; a server of your own puts
 * {@link #script()} and {@link #chatPage()} on GET routes. Immutable; the handlers run on the event
 * loop (the files are read once, here).
 */
public final class BrowserClient {
  /** Where the ES module is served: {@code import {ChannelsClient} from "/_wharf/channels.js"}. */
  public static final String SCRIPT_PATH = "/_wharf/channels.js";

  /** Where the chat demo is served. */
  public static final String CHAT_PATH = "/_wharf/chat";

  private static final byte[] SCRIPT = resource("browser/wharf-channels.js");
  private static final byte[] CHAT = resource("browser/chat.html");

  private BrowserClient() {}

  /** The ES module, as JavaScript (RFC 9239). */
  public static Handler script() {
    return file("text/javascript; charset=utf-8", SCRIPT);
  }

  /** The chat page; it imports the module from {@link #SCRIPT_PATH}. */
  public static Handler chatPage() {
    return file("text/html; charset=utf-8", CHAT);
  }

  private static Handler file(String type, byte[] body) {
    return (request, response) ->
        response
            .header("Cache-Control", "no-cache")
            .header("X-Content-Type-Options", "nosniff")
            .send(200, type, body);
  }

  private static byte[] resource(String name) {
    try (InputStream in = BrowserClient.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing from the jar: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
