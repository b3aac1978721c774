package dev.wharf.bench.tls;

import dev.wharf.bench.load.ConnectingEndpoint;
import dev.wharf.bench.load.LoadLoop;
import dev.wharf.load.wire.PatternStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One non-blocking TLS client connection on the JDK's {@link SSLEngine}, the TLS framing of {@link
 * TlsLoadGen}: an endpoint of its {@link LoadLoop} that connects, handshakes, sends the bytes it is
 * told to ({@link #send}, the next bytes of its {@link PatternStream}, so the echo can be checked)
 * and hands what it decrypts to its {@link Listener}.
 *
 * <p>Buffers are sized by the session (one record in flight each way); delegated tasks run inline,
 * on the generator's only thread, which owns it.
 */
final class TlsClientChannel extends ConnectingEndpoint {
  /** What happens on a connection. */
  interface Listener {
    /** The handshake completed (from the client's side: its Finished is queued). */
    void handshaken(TlsClientChannel channel) throws IOException;

    /** Decrypted bytes, between position and limit; valid during the call. */
    void received(TlsClientChannel channel, ByteBuffer data) throws IOException;

    /** The connection closed, done or failed; called once. */
    default void closed(TlsClientChannel channel) {}
  }

  /** The most application bytes wrapped at once: one full TLS record (RFC 8446 §5.1). */
  private static final int MAX_RECORD = 16 * 1024;

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  final SSLEngine engine;
  private final Listener listener;
  final PatternStream pattern;
  private final ByteBuffer netIn;
  private final ByteBuffer netOut;
  private final ByteBuffer appIn;
  private boolean handshaken;

  private TlsClientChannel(SSLEngine engine, Listener listener, PatternStream pattern)
      throws IOException {
    this.engine = engine;
    this.listener = listener;
    this.pattern = pattern;
    int packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocateDirect(2 * packet).flip();
    this.netOut = ByteBuffer.allocateDirect(2 * packet).flip();
    this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize() + 1024);
  }

  /**
   * Starts connecting on the loop's selector, which then calls {@link #ready}. {@code pattern}'s
   * source holds at least a record's worth.
   */
  static TlsClientChannel open(
      LoadLoop loop,
      InetSocketAddress address,
      SSLContext context,
      String protocol,
      String suite,
      Listener listener,
      PatternStream pattern)
      throws IOException {
    // No peer host or port: the engine neither sends SNI nor looks for a session to resume.
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(new String[] {protocol});
    engine.setEnabledCipherSuites(new String[] {suite});
    var c = new TlsClientChannel(engine, listener, pattern);
    c.connect(loop, address);
    return c;
  }

  /** Asks for {@code bytes} more bytes of the pattern to be sent. */
  void send(long bytes) {
    pattern.add(bytes);
  }

  @Override
  protected void connected() throws IOException {
    engine.beginHandshake();
    progress();
  }

  @Override
  protected void selected() throws IOException {
    progress();
  }

  @Override
  protected void closed() {
    listener.closed(this);
  }

  /** Does everything that can be done now without blocking. */
  void progress() throws IOException {
    for (int guard = 0; guard < 100_000; guard++) {
      if (isClosed()) {
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
          } else if (pattern.hasToSend()) {
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
        key().interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        return false;
      }
    }
    if (key().interestOps() != SelectionKey.OP_READ) {
      key().interestOps(SelectionKey.OP_READ);
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
    ByteBuffer src = pattern.next(MAX_RECORD);
    int from = src.position();
    wrap(src);
    pattern.sent(src.position() - from);
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
