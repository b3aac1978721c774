package dev.wharf.websocket;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Echo listeners: every text and binary message goes back as it came. The peer every test, the
 * conformance suites (Autobahn) and the benchmarks talk to, and a first server to try:
 *
 * <pre>{@code
 * HttpServer.builder(group).get("/echo", WebSocketServer.handler(config, EchoListeners::whole))
 * }</pre>
 *
 * <p>Each call makes a new listener, for one connection, except {@link #whole}: it keeps no state,
 * so all connections share one (as Netty's echo handler is {@code @Sharable}), and an idle echo
 * connection holds no listener of its own.
 */
public final class EchoListeners {
  private EchoListeners() {}

  private static final WebSocketListener WHOLE =
      new WebSocketListener() {
        @Override
        public void onText(WebSocket ws, String text) {
          ws.sendText(text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
          ws.sendBinary(data);
        }
      };

  /**
   * Echoes whole messages; on the loop the binary buffer is sent back before the call returns. One
   * shared listener: it keeps no state.
   */
  public static WebSocketListener whole() {
    return WHOLE;
  }

  /** Echoes from a virtual thread, waiting for each send (a blocking handler). */
  public static WebSocketListener blocking() {
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
  public static WebSocketListener streaming() {
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
