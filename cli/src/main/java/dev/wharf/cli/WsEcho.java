package dev.wharf.cli;

import dev.wharf.core.MemoryBudget;
import dev.wharf.http.Handler;
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
final class WsEcho implements WebSocketListener {
  static final String PATH = "/ws/echo";

  /**
   * The upgrade handler, to be put behind serve's guard (--auth, --cors); messages in progress
   * count against {@code budget}, shared with the server's request bodies.
   */
  static Handler handler(MemoryBudget budget) {
    var config =
        WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).memoryBudget(budget).build();
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
