package dev.wharf.websocket;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/** Echo endpoints for the conformance peers: every text and binary message goes back as it came. */
final class EchoListeners {
  private EchoListeners() {}

  /** Echoes whole messages; on the loop the binary buffer is sent back before the call returns. */
  static WebSocketListener whole() {
    return new WebSocketListener() {
      @Override
      public void onText(WebSocket ws, String text) {
        ws.sendText(text);
      }

      @Override
      public void onBinary(WebSocket ws, ByteBuffer data) {
        ws.sendBinary(data);
      }
    };
  }

  /** Echoes from a virtual thread, waiting for each send (a blocking handler). */
  static WebSocketListener blocking() {
    return new WebSocketListener() {
      @Override
      public void onText(WebSocket ws, String text) {
        ws.sendText(text).join();
      }

      @Override
      public void onBinary(WebSocket ws, ByteBuffer data) {
        ws.sendBinary(data).join();
      }
    };
  }

  /** Receives every message as a stream and sends it back as a fragmented stream. */
  static WebSocketListener streaming() {
    return new WebSocketListener() {
      @Override
      public boolean streamMessage(WebSocket ws, MessageType type) {
        return true;
      }

      @Override
      public void onStream(WebSocket ws, MessageType type, InputStream data) throws Exception {
        try (OutputStream out = ws.sendStream(type)) {
          data.transferTo(out);
        }
      }
    };
  }
}
