package dev.wharf.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * An endpoint that connects without blocking: TCP_NODELAY, and SO_LINGER 0 so that closing sends
 * RST and the client keeps no TIME-WAIT (thousands of short connections a second would otherwise
 * use up the ephemeral ports). {@link #connect} times the connection from just before the connect;
 * once connected (perhaps at once) it calls {@link #connected}, and then {@link #selected} each
 * time its key is selected. The accept test's connections and every TLS connection are these.
 *
 * <p>Not thread-safe: the generator's thread owns it.
 */
public abstract class ConnectingEndpoint implements LoadLoop.Endpoint {
  protected final SocketChannel channel;
  private SelectionKey key;
  private long began;
  private boolean closed;

  protected ConnectingEndpoint() throws IOException {
    channel = SocketChannel.open();
    try {
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Starts connecting to {@code address} on the loop's selector; throws (closed) if it failed. */
  public final void connect(LoadLoop loop, InetSocketAddress address) throws IOException {
    try {
      began = System.nanoTime();
      boolean connected = channel.connect(address);
      key =
          channel.register(
              loop.selector(), connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
      if (connected) {
        connected();
      }
    } catch (IOException | RuntimeException e) {
      closed = true; // never started: no closed() call
      channel.close();
      throw e;
    }
  }

  /** When {@link #connect} began, from {@link System#nanoTime}. */
  public final long began() {
    return began;
  }

  protected final SelectionKey key() {
    return key;
  }

  /** The connection is established; its key is interested in OP_READ. */
  protected abstract void connected() throws IOException;

  /** Its key was selected after {@link #connected}. */
  protected abstract void selected() throws IOException;

  /** It has closed, done or failed; called once. */
  protected abstract void closed();

  @Override
  public final void ready() throws IOException {
    if (key.isConnectable()) {
      channel.finishConnect();
      key.interestOps(SelectionKey.OP_READ);
      connected();
    } else {
      selected();
    }
  }

  /** Closes at once (RST). */
  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing to do: we are done with it.
    }
    closed();
  }

  public final boolean isClosed() {
    return closed;
  }
}
