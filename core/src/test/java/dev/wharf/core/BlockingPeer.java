package dev.wharf.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain blocking client of a {@link Server} on loopback, every read bounded by a timeout. */
final class BlockingPeer {
  private BlockingPeer() {}

  static Socket connect(Server server) throws IOException {
    var socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Whether an echo server sends {@code text} back on a new connection. */
  static boolean echoes(Server server, String text) throws IOException {
    try (Socket socket = connect(server)) {
      byte[] sent = text.getBytes(StandardCharsets.US_ASCII);
      socket.getOutputStream().write(sent);
      byte[] back = socket.getInputStream().readNBytes(sent.length);
      return new String(back, StandardCharsets.US_ASCII).equals(text);
    }
  }
}
