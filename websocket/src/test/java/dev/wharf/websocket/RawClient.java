package dev.wharf.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain blocking socket that speaks raw bytes: handshakes written by hand, frames read back. */
final class RawClient implements AutoCloseable {
  final Socket socket;
  final InputStream in;

  RawClient(int port) throws IOException {
    this(port, 0);
  }

  /** With a small receive buffer, to play a peer that cannot keep up. */
  RawClient(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
  }

  static String upgradeRequest(String path, String... extraHeaders) {
    var request = new StringBuilder();
    request.append("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    request.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    request.append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
    boolean versionGiven = false;
    for (String header : extraHeaders) {
      versionGiven |= header.startsWith("Sec-WebSocket-Version");
      request.append(header).append("\r\n");
    }
    if (!versionGiven) {
      request.append("Sec-WebSocket-Version: 13\r\n");
    }
    return request.append("\r\n").toString();
  }

  void send(String ascii) throws IOException {
    send(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** The response head, up to and including the empty line. */
  String readHead() throws IOException {
    var head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  byte[] readExactly(int n) throws IOException {
    return in.readNBytes(n);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
