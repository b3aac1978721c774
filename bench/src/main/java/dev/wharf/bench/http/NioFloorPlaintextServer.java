package dev.wharf.bench.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * bench/c/plaintext-epoll.c again, line for line, on {@code java.nio}: one thread, one selector, no
 * HTTP parsing beyond finding where each request ends, one write for each read's responses. It
 * makes the system calls the C server makes, so the gap between the two is what the JDK's selector,
 * channels and JNI add to a request, and the gap between it and Wharf is Wharf's own: the floor of
 * any server on {@code java.nio}. Not a server to use (no limits, no timeouts, no bodies).
 */
final class NioFloorPlaintextServer {
  private static final int IN_CAP = 65536;
  private static final int OUT_CAP = 256 * 1024;

  private final Selector selector;
  private final ServerSocketChannel listener;
  private final ByteBuffer batch = ByteBuffer.allocateDirect(OUT_CAP);
  private final FloorHttp http = new FloorHttp("nio");
  private volatile boolean running = true;

  /** One connection: its unread input, and what the socket did not take yet. */
  private static final class Conn {
    final ByteBuffer in = ByteBuffer.allocateDirect(IN_CAP);
    final MemorySegment inView = MemorySegment.ofBuffer(in); // for FloorHttp.endOfRequest
    ByteBuffer out; // heap, only while the peer's window is full
  }

  private NioFloorPlaintextServer(InetSocketAddress address) throws IOException {
    selector = Selector.open();
    listener = ServerSocketChannel.open();
    listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    listener.bind(address, 1024);
    listener.configureBlocking(false);
    listener.register(selector, SelectionKey.OP_ACCEPT);
  }

  static BoundServer start(InetSocketAddress address) throws IOException {
    var server = new NioFloorPlaintextServer(address);
    Thread loop = Thread.ofPlatform().name("nio-floor-loop").start(server::run);
    int port = ((InetSocketAddress) server.listener.getLocalAddress()).getPort();
    return new BoundServer(
        port,
        () -> {
          server.running = false;
          server.selector.wakeup();
          try {
            loop.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  private void run() {
    try (selector;
        listener) {
      while (running) {
        selector.select(this::ready);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void ready(SelectionKey key) {
    try {
      if (key.isAcceptable()) {
        accept();
        return;
      }
      Conn c = (Conn) key.attachment();
      if (key.isWritable() && flushOut(key, c)) {
        key.interestOps(SelectionKey.OP_READ);
      }
      if (key.isValid() && key.isReadable()) {
        readable(key, c);
      }
    } catch (IOException e) {
      close(key);
    }
  }

  private void accept() throws IOException {
    SocketChannel ch;
    while ((ch = listener.accept()) != null) {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.register(selector, SelectionKey.OP_READ, new Conn());
    }
  }

  private void readable(SelectionKey key, Conn c) throws IOException {
    var ch = (SocketChannel) key.channel();
    int n = ch.read(c.in);
    if (n < 0) {
      close(key);
      return;
    }
    if (n == 0) {
      return;
    }
    byte[] response = http.now();
    batch.clear();
    ByteBuffer in = c.in;
    int consumed = 0;
    long end;
    while ((end = FloorHttp.endOfRequest(c.inView, consumed, in.position())) >= 0
        && batch.remaining() >= response.length) {
      consumed = (int) end;
      batch.put(response);
    }
    in.flip().position(consumed);
    in.compact();
    if (!in.hasRemaining()) {
      close(key); // A request larger than the buffer: not ours to serve.
      return;
    }
    batch.flip();
    if (!batch.hasRemaining()) {
      return;
    }
    if (c.out == null) {
      ch.write(batch);
    }
    if (batch.hasRemaining()) {
      // Keep the rest until the socket is writable.
      ByteBuffer rest =
          ByteBuffer.allocate(batch.remaining() + (c.out == null ? 0 : c.out.remaining()));
      if (c.out != null) {
        rest.put(c.out);
      }
      c.out = rest.put(batch).flip();
      key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
  }

  /** Writes what waits; true when nothing is left. */
  private static boolean flushOut(SelectionKey key, Conn c) throws IOException {
    if (c.out == null) {
      return true;
    }
    ((SocketChannel) key.channel()).write(c.out);
    if (c.out.hasRemaining()) {
      return false;
    }
    c.out = null;
    return true;
  }

  private static void close(SelectionKey key) {
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException ignored) {
      // Closing after an error: nothing more to do.
    }
  }
}
