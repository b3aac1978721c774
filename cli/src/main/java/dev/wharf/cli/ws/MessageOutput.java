package dev.wharf.cli.ws;

import dev.wharf.cli.Json;
import dev.wharf.cli.io.StdoutSink;
import dev.wharf.websocket.WebSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What {@code wharf ws} writes on stdout for each event of a WebSocket: messages as they are
 * ({@link #plain}), or one JSON object a line ({@link #jsonLines}).
 *
 * <p>Called on the connection's listener thread (a virtual thread: writing may block on a full
 * pipe, which pauses reading from the peer), one event at a time.
 */
interface MessageOutput {

  void opened(WebSocket webSocket) throws IOException;

  void text(String text) throws IOException;

  /** A binary message between the buffer's position and limit; consumes it. */
  void binary(ByteBuffer data) throws IOException;

  void ping(ByteBuffer payload) throws IOException;

  void pong(ByteBuffer payload) throws IOException;

  void closed(int code, String reason) throws IOException;

  /**
   * Messages only, as they are: binary ones raw; text ones followed by a newline, or raw too when
   * {@code raw} (so that {@code --binary} passes files through unchanged).
   */
  static MessageOutput plain(StdoutSink out, boolean raw) {
    return new MessageOutput() {
      @Override
      public void opened(WebSocket webSocket) {}

      @Override
      public void text(String text) throws IOException {
        out.write(StandardCharsets.UTF_8.encode(raw ? text : text + "\n"));
      }

      @Override
      public void binary(ByteBuffer data) throws IOException {
        out.write(data);
      }

      @Override
      public void ping(ByteBuffer payload) {}

      @Override
      public void pong(ByteBuffer payload) {}

      @Override
      public void closed(int code, String reason) {}
    };
  }

  /**
   * One JSON object a line, for scripts: {@code {"type":"open","subprotocol":null,
   * "extensions":""}}, {@code {"type":"text","data":"..."}}, {@code
   * {"type":"binary","base64":"..."}}, {@code ping} and {@code pong} with {@code base64}, and
   * {@code {"type":"close","code":1000,"reason":""}}.
   */
  static MessageOutput jsonLines(StdoutSink out) {
    return new MessageOutput() {
      private void line(String json) throws IOException {
        out.write(StandardCharsets.UTF_8.encode(json + "\n"));
      }

      private static String base64(ByteBuffer data) {
        return Json.quote(
            StandardCharsets.ISO_8859_1.decode(Base64.getEncoder().encode(data)).toString());
      }

      @Override
      public void opened(WebSocket webSocket) throws IOException {
        line(
            "{\"type\":\"open\",\"subprotocol\":"
                + webSocket.subprotocol().map(Json::quote).orElse("null")
                + ",\"extensions\":"
                + Json.quote(webSocket.extensions())
                + "}");
      }

      @Override
      public void text(String text) throws IOException {
        line("{\"type\":\"text\",\"data\":" + Json.quote(text) + "}");
      }

      @Override
      public void binary(ByteBuffer data) throws IOException {
        line("{\"type\":\"binary\",\"base64\":" + base64(data) + "}");
      }

      @Override
      public void ping(ByteBuffer payload) throws IOException {
        line("{\"type\":\"ping\",\"base64\":" + base64(payload) + "}");
      }

      @Override
      public void pong(ByteBuffer payload) throws IOException {
        line("{\"type\":\"pong\",\"base64\":" + base64(payload) + "}");
      }

      @Override
      public void closed(int code, String reason) throws IOException {
        line("{\"type\":\"close\",\"code\":" + code + ",\"reason\":" + Json.quote(reason) + "}");
      }
    };
  }
}
