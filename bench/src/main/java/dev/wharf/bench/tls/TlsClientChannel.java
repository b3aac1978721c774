package dev.wharf.bench.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One non-blocking TLS client connection on the JDK's {@link SSLEngine}, driven by the generator's
 * selector: connects, handshakes, sends the bytes it is told to ({@link #send}, taken from a shared
 * pattern so the echo can be checked) and hands what it decrypts to its {@link Listener}.
 *
 * <p>Buffers are sized by the session (one record in flight each way); delegated tasks run inline,
 * on the generator's only thread.
 */
final class TlsClientChannel {
  /** What happens on a connection. */
  interface Listener {
    /** The handshake completed (from the client's side: its Finished is queued). */
    void handshaken(TlsClientChannel channel) throws IOException;

    /** Decrypted bytes, between position and limit; valid during the call. */
    void received(TlsClientChannel channel, ByteBuffer data) throws IOException;
  }

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  final SocketChannel channel;
  final SSLEngine engine;
  final long started;
  private final Listener listener;
  private final ByteBuffer pattern;
  private final int patternPeriod;
  private final ByteBuffer netIn;
  private final ByteBuffer netOut;
  private final ByteBuffer appIn;
  private SelectionKey key;
  private boolean handshaken;
  private boolean closed;

  /** App bytes asked for and not yet wrapped; the stream is byte(offset) = offset % period. */
  private long toWrite;

  private long written;

  /** Anything the caller wants to keep with the connection. */
  Object state;

  private TlsClientChannel(
      SocketChannel channel,
      SSLEngine engine,
      Listener listener,
      ByteBuffer pattern,
      int patternPeriod,
      long started) {
    this.channel = channel;
    this.engine = engine;
    this.listener = listener;
    this.pattern = pattern;
    this.patternPeriod = patternPeriod;
    this.started = started;
    int packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocateDirect(2 * packet).flip();
    this.netOut = ByteBuffer.allocateDirect(2 * packet).flip();
    this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize() + 1024);
  }

  /**
   * Starts connecting; the selector then calls {@link #ready}. {@code pattern} holds byte {@code i
   * % patternPeriod} at index i, and is longer than a record plus one period.
   */
  static TlsClientChannel open(
      Selector selector,
      InetSocketAddress address,
      SSLContext context,
      String protocol,
      String suite,
      Listener listener,
      ByteBuffer pattern,
      int patternPeriod)
      throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      // Closed with RST: the client keeps no TIME-WAIT, so ephemeral ports are not used up.
      ch.setOption(StandardSocketOptions.SO_LINGER, 0);
      // No peer host or port: the engine neither sends SNI nor looks for a session to resume.
      SSLEngine engine = context.createSSLEngine();
      engine.setUseClientMode(true);
      engine.setEnabledProtocols(new String[] {protocol});
      engine.setEnabledCipherSuites(new String[] {suite});
      var c = new TlsClientChannel(ch, engine, listener, pattern, patternPeriod, System.nanoTime());
      boolean connected = ch.connect(address);
      c.key = ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
      if (connected) {
        c.engine.beginHandshake();
        c.progress();
      }
      return c;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Asks for {@code bytes} more bytes of the pattern to be sent. */
  void send(long bytes) {
    toWrite += bytes;
  }

  /** The selector saw this connection ready; throws when the connection failed. */
  void ready() throws IOException {
    if (key.isConnectable()) {
      channel.finishConnect();
      key.interestOps(SelectionKey.OP_READ);
      engine.beginHandshake();
    }
    progress();
  }

  /** Closes the socket at once (RST). */
  void close() {
    closed = true;
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing to do: we are done with it.
    }
  }

  /** Does everything that can be done now without blocking. */
  void progress() throws IOException {
    for (int guard = 0; guard < 100_000; guard++) {
      if (closed) {
        return;
      }
      if (!flush()) {
        // The socket is full: what is left is unwrapping what arrived.
        if (!unwrap() && !readSocket()) {
          return;
        }
        continue;
      }
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
        }
        case NEED_WRAP -> wrap(EMPTY);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          if (!unwrap() && !readSocket()) {
            return;
          }
        }
        default -> {
          if (!handshaken) {
            handshaken = true;
            listener.handshaken(this);
          } else if (toWrite > 0) {
            wrapAppData();
          } else if (!unwrap() && !readSocket()) {
            return;
          }
        }
      }
    }
    throw new IOException("no end to the TLS work on one connection");
  }

  /** Writes pending records; true when none are left. */
  private boolean flush() throws IOException {
    while (netOut.hasRemaining()) {
      if (channel.write(netOut) == 0) {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        return false;
      }
    }
    if (key.interestOps() != SelectionKey.OP_READ) {
      key.interestOps(SelectionKey.OP_READ);
    }
    return true;
  }

  private void wrap(ByteBuffer src) throws SSLException {
    netOut.compact();
    SSLEngineResult r = engine.wrap(src, netOut);
    netOut.flip();
    if (r.getStatus() != SSLEngineResult.Status.OK) {
      throw new SSLException("wrap: " + r.getStatus());
    }
  }

  private void wrapAppData() throws SSLException {
    int from = (int) (written % patternPeriod);
    int n = (int) Math.min(toWrite, 16 * 1024);
    ByteBuffer src = pattern.duplicate().limit(from + n).position(from);
    wrap(src);
    int consumed = src.position() - from;
    written += consumed;
    toWrite -= consumed;
  }

  /** Unwraps one record if a whole one is here; true if it made progress. */
  private boolean unwrap() throws IOException {
    if (!netIn.hasRemaining()) {
      return false;
    }
    appIn.clear();
    SSLEngineResult r = engine.unwrap(netIn, appIn);
    switch (r.getStatus()) {
      case OK -> {
        if (r.bytesProduced() > 0) {
          appIn.flip();
          listener.received(this, appIn);
        }
        return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
      }
      case BUFFER_UNDERFLOW -> {
        return false;
      }
      default -> throw new IOException("unwrap: " + r.getStatus());
    }
  }

  /** Reads what the socket has; true if it got bytes. */
  private boolean readSocket() throws IOException {
    netIn.compact();
    int n;
    try {
      n = channel.read(netIn);
    } finally {
      netIn.flip();
    }
    if (n < 0) {
      throw new IOException("the server closed the connection");
    }
    return n > 0;
  }
}
