package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.EndToEnd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real {@code wharf serve}, on a small heap, under clients that try to fill it; afterwards it
 * still answers curl, without a restart.
 */
class ServeUnderHostileClientsIT extends EndToEnd {
  /** The heap serve runs with: the attacks below send twice as much. */
  private static final int HEAP_MIB = 64;

  private int serveOnSmallHeap(Path root) throws Exception {
    return serveOnLoopback(Map.of("JAVA_TOOL_OPTIONS", "-Xmx" + HEAP_MIB + "m"), root, "--quiet");
  }

  private String curl(int port, String path) throws Exception {
    return Files.readString(curlDownload(port, path), StandardCharsets.UTF_8);
  }

  @Test
  void unfinishedWebSocketMessagesTwiceTheHeapAreRefusedAndServeStillAnswers() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("hello.txt"), "hello\n");
    int port = serveOnSmallHeap(root);
    int messageBytes = 3_900_000; // just under the 4 MiB message limit
    int connections = 2 * (HEAP_MIB << 20) / messageBytes + 1;
    // Each peer sends all of a first fragment and never the rest of its message.
    byte[] fragment = maskedHead(messageBytes);
    byte[] payload = new byte[messageBytes];

    List<Socket> peers = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        var socket = new Socket(InetAddress.getLoopbackAddress(), port);
        peers.add(socket);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(upgrade().getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 101 ");
        try {
          socket.getOutputStream().write(fragment);
          socket.getOutputStream().write(payload);
        } catch (IOException refused) {
          // Closed with 1009 (budget spent) while still sending: the next peer tries.
        }
      }
    } finally {
      for (Socket socket : peers) {
        socket.close();
      }
    }

    assertThat(curl(port, "/hello.txt")).isEqualTo("hello\n");
  }

  @Test
  void getBodiesTwiceTheHeapAreNotKeptAndServeStillAnswers() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("hello.txt"), "hello\n");
    int port = serveOnSmallHeap(root);
    int bodyBytes = 10 << 20; // the largest body any request may have
    int connections = 2 * (HEAP_MIB << 20) / bodyBytes + 1;
    byte[] chunk = new byte[64 * 1024];

    List<Socket> peers = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        var socket = new Socket(InetAddress.getLoopbackAddress(), port);
        peers.add(socket);
        String head = "GET /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: " + bodyBytes;
        socket.getOutputStream().write((head + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // All of the body but its last byte: a server that keeps bodies holds all of it.
        for (int sent = 0; sent < bodyBytes - 1; sent += chunk.length) {
          socket.getOutputStream().write(chunk, 0, Math.min(chunk.length, bodyBytes - 1 - sent));
        }
      }
      assertThat(curl(port, "/hello.txt")).as("while they wait").isEqualTo("hello\n");
    } finally {
      for (Socket socket : peers) {
        socket.close();
      }
    }
    assertThat(curl(port, "/hello.txt")).isEqualTo("hello\n");
  }

  /** A masked (zero key) binary frame head without FIN, with a 64-bit length. */
  private static byte[] maskedHead(int length) {
    return ByteBuffer.allocate(14)
        .put((byte) 0x02)
        .put((byte) 0xFF)
        .putLong(length)
        .putInt(0)
        .array();
  }

  private static String upgrade() {
    return "GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
  }

  private static String readHead(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    for (int matched = 0, b; matched < 4 && (b = in.read()) >= 0; ) {
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
