package dev.wharf.channels;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.server.HttpServer;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A channels client on an {@link EmbeddedConnection}: the HTTP server's protocol with the channels
 * route, upgraded by a real handshake, no socket, no thread. Sends masked text frames and reads the
 * server's frames back as text messages (the close frame as {@code "close <code> <reason>"}).
 */
final class EmbeddedClient {
  final EmbeddedConnection connection;
  private final ByteArrayQueue pending = new ByteArrayQueue();

  private EmbeddedClient(EmbeddedConnection connection) {
    this.connection = connection;
  }

  static EmbeddedClient connect(EventLoopGroup unused, FakeClock clock, Channels channels) {
    return connect(unused, clock, channels, Channels.PATH);
  }

  /** Upgrades at {@code target} (the path with a query, as {@code /ws/channels?token=...}). */
  static EmbeddedClient connect(
      EventLoopGroup unused, FakeClock clock, Channels channels, String target) {
    var server = HttpServer.builder(unused).get(Channels.PATH, channels.handler());
    var connection = EmbeddedConnection.of(clock, server.protocol());
    connection.writeInbound(
        "GET "
            + target
            + " HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    connection.runPendingTasks();
    connection.checkException();
    byte[] out = connection.readOutbound();
    String answer = new String(out, StandardCharsets.ISO_8859_1);
    if (!answer.startsWith("HTTP/1.1 101")) {
      throw new AssertionError("not upgraded: " + answer);
    }
    // Frames sent as the connection opened (a refusal) follow the handshake's answer.
    int end = answer.indexOf("\r\n\r\n") + 4;
    var client = new EmbeddedClient(connection);
    client.pending.add(java.util.Arrays.copyOfRange(out, end, out.length));
    return client;
  }

  void send(String text) {
    connection.writeInbound(
        WebSocketFrameWriter.encode(
            Opcodes.TEXT,
            true,
            false,
            ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)),
            true,
            0x11223344));
    connection.runPendingTasks();
    connection.checkException();
  }

  /** Runs what the mailbox holds, then returns every message the server sent since last asked. */
  List<String> received() {
    connection.runPendingTasks();
    connection.checkException();
    pending.add(connection.readOutbound());
    var messages = new ArrayList<String>();
    while (true) {
      byte[] frame = pending.nextFrame();
      if (frame == null) {
        return messages;
      }
      messages.add(decode(frame));
    }
  }

  private static String decode(byte[] frame) {
    int opcode = frame[0] & 0x0F;
    int length = frame[1] & 0x7F;
    int at = 2;
    if (length == 126) {
      at = 4;
    } else if (length == 127) {
      at = 10;
    }
    String payload = new String(frame, at, frame.length - at, StandardCharsets.UTF_8);
    if (opcode == Opcodes.CLOSE) {
      int code = ((frame[at] & 0xFF) << 8) | (frame[at + 1] & 0xFF);
      return "close "
          + code
          + " "
          + new String(frame, at + 2, frame.length - at - 2, StandardCharsets.UTF_8);
    }
    return payload;
  }

  /** Server frames (unmasked) gathered from the outbound bytes. */
  private static final class ByteArrayQueue {
    private byte[] bytes = new byte[0];

    void add(byte[] more) {
      byte[] joined = new byte[bytes.length + more.length];
      System.arraycopy(bytes, 0, joined, 0, bytes.length);
      System.arraycopy(more, 0, joined, bytes.length, more.length);
      bytes = joined;
    }

    byte[] nextFrame() {
      if (bytes.length < 2) {
        return null;
      }
      int length = bytes[1] & 0x7F;
      int header = 2;
      long payload = length;
      if (length == 126) {
        if (bytes.length < 4) {
          return null;
        }
        header = 4;
        payload = ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
      } else if (length == 127) {
        if (bytes.length < 10) {
          return null;
        }
        header = 10;
        payload = ByteBuffer.wrap(bytes, 2, 8).getLong();
      }
      int total = (int) (header + payload);
      if (bytes.length < total) {
        return null;
      }
      byte[] frame = java.util.Arrays.copyOf(bytes, total);
      bytes = java.util.Arrays.copyOfRange(bytes, total, bytes.length);
      return frame;
    }
  }
}
