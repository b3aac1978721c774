package dev.wharf.channels;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between a NATS client and a real nats-server that lets each connection's first {@code
 * PONG} through (the client's connect handshake waits for it) and drops every later one: a PING the
 * server never answers, as when the client's own writer strands one. Everything else passes
 * unchanged; the server's {@code MSG} and {@code HMSG} payloads are copied by their stated size, so
 * a payload that reads "PONG" is not taken for one.
 *
 * <p>Test code: blocking sockets, two virtual threads per relayed connection.
 */
final class PongDroppingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int upstreamPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger pongsDropped = new AtomicInteger();

  private PongDroppingProxy(ServerSocket listener, int upstreamPort) {
    this.listener = listener;
    this.upstreamPort = upstreamPort;
  }

  /** Listens on a loopback port of its own and relays each connection to {@code upstreamPort}. */
  static PongDroppingProxy start(int upstreamPort) throws IOException {
    var listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    var proxy = new PongDroppingProxy(listener, upstreamPort);
    Thread.ofVirtual().name("pong-dropping-proxy").start(proxy::accept);
    return proxy;
  }

  /** {@code nats://127.0.0.1:PORT} of the relay. */
  URI uri() {
    return URI.create("nats://127.0.0.1:" + listener.getLocalPort());
  }

  /** How many PONGs were kept from the client so far. */
  int pongsDropped() {
    return pongsDropped.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        sockets.add(client);
        sockets.add(server);
        Thread.ofVirtual().start(() -> copy(client, server));
        Thread.ofVirtual().start(() -> relayFromServer(server, client));
      } catch (IOException closedOrRefused) {
        // closed by close(), or the server is down: the client sees its connection fail
      }
    }
  }

  private static void copy(Socket from, Socket to) {
    try (from;
        to) {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException connectionEnded) {
      // either side went away: both are closed
    }
  }

  /** The server's protocol, a control line at a time, each message's payload by its size. */
  private void relayFromServer(Socket server, Socket client) {
    boolean firstPong = true;
    try (server;
        client) {
      InputStream in = new BufferedInputStream(server.getInputStream());
      OutputStream out = client.getOutputStream();
      for (byte[] line = readLine(in); line != null; line = readLine(in)) {
        String text = new String(line, StandardCharsets.US_ASCII).strip();
        if (text.equals("PONG")) {
          if (!firstPong) {
            pongsDropped.incrementAndGet();
            continue;
          }
          firstPong = false;
        }
        out.write(line);
        if (text.startsWith("MSG ") || text.startsWith("HMSG ")) {
          String[] fields = text.split(" ");
          int size = Integer.parseInt(fields[fields.length - 1]);
          out.write(in.readNBytes(size + 2)); // the payload and its CRLF
        }
        out.flush();
      }
    } catch (IOException connectionEnded) {
      // either side went away: both are closed
    }
  }

  /** One line with its CRLF, or null at the end of the stream. */
  private static byte[] readLine(InputStream in) throws IOException {
    var line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      line.write(b);
      if (b == '\n') {
        return line.toByteArray();
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
