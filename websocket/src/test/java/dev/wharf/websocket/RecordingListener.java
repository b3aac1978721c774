package dev.wharf.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event as a line ("text hello", "close 1000 bye"); thread-safe. */
class RecordingListener implements WebSocketListener {
  final List<String> events = new CopyOnWriteArrayList<>();
  volatile WebSocket socket;

  @Override
  public void onOpen(WebSocket ws) {
    socket = ws;
    events.add("open");
  }

  @Override
  public void onText(WebSocket ws, String text) {
    events.add("text " + text);
  }

  @Override
  public void onBinary(WebSocket ws, ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    events.add("binary " + new String(bytes, StandardCharsets.ISO_8859_1));
  }

  @Override
  public void onPing(WebSocket ws, ByteBuffer payload) {
    events.add("ping " + StandardCharsets.ISO_8859_1.decode(payload));
  }

  @Override
  public void onPong(WebSocket ws, ByteBuffer payload) {
    events.add("pong " + StandardCharsets.ISO_8859_1.decode(payload));
  }

  @Override
  public void onClose(WebSocket ws, int code, String reason) {
    events.add("close " + code + " " + reason);
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    events.add("error " + error.getClass().getSimpleName());
  }
}
