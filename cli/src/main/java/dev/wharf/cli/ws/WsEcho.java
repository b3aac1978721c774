package dev.wharf.cli.ws;

import dev.wharf.http.server.Handler;
import dev.wharf.websocket.DeflateOptions;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketConfig;
import dev.wharf.websocket.WebSocketListener;
import dev.wharf.websocket.WebSocketServer;
import java.nio.ByteBuffer;

/**
 * {@code wharf serve}'s {@code /ws/echo}: a WebSocket that sends every message back as it came,
 * text as text and binary as binary, for trying out clients. permessage-deflate is accepted when
 * offered (browsers do). Callbacks run on the event loop: sending back never blocks, and a reader
 * too slow for what it sends is closed with 1008 by the module's slow-consumer limit.
 */
public final class WsEcho implements WebSocketListener {
  public static final String PATH = "/ws/echo";

  /**
   * The default limit of a message, and of a frame: 16 MiB, the largest message of the Autobahn
   * testsuite (9.1.6), against the module's 4 MiB. This echo is for trying out clients, and the
   * suite is how many are tried; each connection holds at most one message this size while it comes
   * in (and its echo while it goes out), and --ws-max-message lowers it.
   */
  public static final long DEFAULT_MAX_MESSAGE = 16L << 20;

  /** The echo's settings: these limits (close 1009 beyond), permessage-deflate accepted. */
  public static WebSocketConfig config(long maxFrameBytes, long maxMessageBytes) {
    return WebSocketConfig.builder()
        .maxFrameBytes(maxFrameBytes)
        .maxMessageBytes(maxMessageBytes)
        .deflate(DeflateOptions.DEFAULTS)
        .build();
  }

  /**
   * The upgrade handler, to be put behind serve's guard (--auth, --cors); messages in progress
   * count against the config's memory budget, which serve shares with its request bodies.
   */
  public static Handler handler(WebSocketConfig config) {
    return WebSocketServer.handler(config, WsEcho::new);
  }

  @Override
  public void onText(WebSocket webSocket, String text) {
    webSocket.sendText(text);
  }

  @Override
  public void onBinary(WebSocket webSocket, ByteBuffer data) {
    webSocket.sendBinary(
        data); // Read on the loop before the call returns, so the lent buffer is fine.
  }
}
