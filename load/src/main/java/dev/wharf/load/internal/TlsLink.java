package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS under one {@link Connection}, on the JDK's {@link SSLEngine}: the connection asks it to
 * {@link #progress} whenever its socket is ready, and it handshakes, encrypts what the exchange has
 * to send and hands what it decrypts to the exchange. Delegated tasks run inline, on the worker's
 * thread, which owns it. Buffers are sized by the session: one record in flight each way.
 */
final class TlsLink {
  /** The most application bytes wrapped at once: one full TLS record (RFC 8446 §5.1). */
  private static final int MAX_RECORD = 16 * 1024;

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final SSLEngine engine;
  private final SocketChannel channel;
  private final ByteBuffer netIn;
  private final ByteBuffer netOut;
  private final ByteBuffer appIn;
  private boolean handshaken;

  TlsLink(SSLEngine engine, SocketChannel channel) {
    this.engine = engine;
    this.channel = channel;
    int packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocateDirect(2 * packet).flip();
    this.netOut = ByteBuffer.allocateDirect(2 * packet).flip();
    this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize() + 1024);
  }

  void begin() throws IOException {
    engine.beginHandshake();
  }

  /**
   * Does everything that can be done now without blocking; returns whether the socket is full (the
   * connection then waits for OP_WRITE). Once handshaken it reads and decrypts all the socket has
   * before it encrypts what the answers made the exchange queue: the requests that follow a batch
   * of answers go out in one record and one write, as on a plain socket, not one each.
   */
  boolean progress(Connection connection, Exchange exchange) throws IOException {
    try {
      for (int guard = 0; guard < 100_000; guard++) {
        if (connection.isClosed()) {
          return false;
        }
        if (!flush(connection)) {
          if (!unwrap(connection, exchange) && !readSocket(connection)) {
            return true;
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
            if (!unwrap(connection, exchange) && !readSocket(connection)) {
              return false;
            }
          }
          default -> {
            if (!handshaken) {
              handshaken = true;
              exchange.start();
            } else if (unwrap(connection, exchange) || readSocket(connection)) {
              continue; // more may be readable: answers first, then what they let us send
            } else if (exchange.outbound(MAX_RECORD).hasRemaining()) {
              ByteBuffer src = exchange.outbound(MAX_RECORD);
              int from = src.position();
              wrap(src);
              exchange.sent(src.position() - from);
            } else {
              return false;
            }
          }
        }
      }
    } catch (SSLException e) {
      throw new LoadFailure(
          handshaken ? ErrorKind.PROTOCOL : ErrorKind.TLS, "TLS: " + e.getMessage());
    }
    throw new IOException("no end to the TLS work on one connection");
  }

  /** Writes pending records; true when none are left. */
  private boolean flush(Connection connection) throws IOException {
    while (netOut.hasRemaining()) {
      int n;
      try {
        n = channel.write(netOut);
      } catch (IOException e) {
        throw new LoadFailure(ErrorKind.RESET, e.getMessage());
      }
      if (n == 0) {
        return false;
      }
      connection.wrote(n);
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

  /** Unwraps one record if a whole one is here; true if it made progress. */
  private boolean unwrap(Connection connection, Exchange exchange) throws IOException {
    if (!netIn.hasRemaining()) {
      return false;
    }
    appIn.clear();
    SSLEngineResult r = engine.unwrap(netIn, appIn);
    switch (r.getStatus()) {
      case OK -> {
        if (r.bytesProduced() > 0) {
          appIn.flip();
          exchange.received(appIn);
        }
        return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
      }
      case BUFFER_UNDERFLOW -> {
        return false;
      }
      case CLOSED -> throw new LoadFailure(ErrorKind.CLOSED, "the server closed TLS");
      default -> throw new SSLException("unwrap: " + r.getStatus());
    }
  }

  /** Reads what the socket has; true if it got bytes. */
  private boolean readSocket(Connection connection) throws IOException {
    netIn.compact();
    int n;
    try {
      n = connection.readFrom(netIn);
    } finally {
      netIn.flip();
    }
    if (n < 0) {
      connection.endOfStream();
      return false;
    }
    return n > 0;
  }
}
