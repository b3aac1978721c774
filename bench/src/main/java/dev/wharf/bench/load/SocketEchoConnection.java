package dev.wharf.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * An {@link EchoConnection} on a plain socket: when selected it reads everything the socket has
 * into the generator's one read buffer and hands each piece to its framing ({@link #received}),
 * then writes what the framing has to send ({@link #writeSome}), asking for OP_WRITE only while the
 * socket is full.
 *
 * <p>Not thread-safe: the generator's thread owns it.
 */
public abstract class SocketEchoConnection extends EchoConnection implements LoadLoop.Endpoint {
  protected final SocketChannel channel;
  private final SelectionKey key;
  private final ByteBuffer readBuffer;

  /**
   * Takes {@code channel}, connected, onto the loop's selector (so the loop closes it at the end);
   * {@code readBuffer} is shared. The key's attachment escapes before a subclass is made,
   * harmlessly: only this thread reads it, in a later select.
   */
  @SuppressWarnings("this-escape")
  protected SocketEchoConnection(
      LoadLoop loop, int window, SocketChannel channel, ByteBuffer readBuffer) throws IOException {
    super(loop, window);
    this.channel = channel;
    this.readBuffer = readBuffer;
    channel.configureBlocking(false);
    this.key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
  }

  /** A blocking channel connected to {@code address}, with TCP_NODELAY. */
  public static SocketChannel connect(InetSocketAddress address) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.connect(address);
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Bytes that came back, between position and limit; a slice of the shared read buffer. */
  protected abstract void received(ByteBuffer data) throws IOException;

  /** The bytes to write next, between position and limit; none when all is written. */
  protected abstract ByteBuffer outbound();

  /** {@code n} bytes of {@link #outbound} were written. */
  protected void wrote(int n) {}

  /** Writes what the framing has to send until it is all written or the socket is full. */
  private void writeSome() throws IOException {
    while (true) {
      ByteBuffer src = outbound();
      int n = src.remaining();
      if (n == 0) {
        return;
      }
      int w = channel.write(src);
      wrote(w);
      if (w < n) {
        return;
      }
    }
  }

  @Override
  public void ready() throws IOException {
    if (key.isReadable()) {
      read();
    }
    if (key.isWritable() || outbound().hasRemaining()) {
      writeSome();
      int ops =
          outbound().hasRemaining()
              ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
              : SelectionKey.OP_READ;
      if (key.interestOps() != ops) {
        key.interestOps(ops);
      }
    }
  }

  private void read() throws IOException {
    while (true) {
      readBuffer.clear();
      int n = channel.read(readBuffer);
      if (n < 0) {
        throw new IOException("server closed a connection");
      }
      if (n == 0) {
        return;
      }
      readBuffer.flip();
      received(readBuffer);
      if (n < readBuffer.capacity()) {
        return;
      }
    }
  }

  @Override
  public void close() {
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing at the end or after a failure; nothing to do.
    }
  }
}
