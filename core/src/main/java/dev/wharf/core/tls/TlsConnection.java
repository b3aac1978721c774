package dev.wharf.core.tls;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.ConnectionState;
import dev.wharf.core.Protocol;
import dev.wharf.core.Transport;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connection as the application's protocol sees it under TLS: writes are encrypted, files are
 * read and encrypted, closing sends close_notify; everything else is the transport's. Calls from
 * other threads hop to the loop, as the transport's own do.
 */
final class TlsConnection implements Connection {
  private static final System.Logger LOG = System.getLogger(TlsConnection.class.getName());

  private final TlsProtocol tls;
  private final Connection transport;

  TlsConnection(TlsProtocol tls, Connection transport) {
    this.tls = tls;
    this.transport = transport;
  }

  @Override
  public Optional<TlsSession> tlsSession() {
    return Optional.ofNullable(tls.session());
  }

  @Override
  public void write(ByteBuffer data) {
    if (inEventLoop()) {
      tls.write(data);
    } else {
      ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
      onLoop(() -> tls.write(copy));
    }
  }

  @Override
  public void writeFile(FileChannel file, long position, long count) {
    onLoop(() -> tls.writeFile(file, position, count));
  }

  @Override
  public void flush() {
    onLoop(tls::flush);
  }

  @Override
  public long pendingBytes() {
    return tls.pendingBytes();
  }

  @Override
  public boolean isWritable() {
    return tls.isWritable();
  }

  @Override
  public void shutdownOutput() {
    onLoop(tls::shutdownOutput);
  }

  @Override
  public void close() {
    close(CloseReason.LOCAL);
  }

  @Override
  public void close(CloseReason reason) {
    onLoop(() -> tls.close(reason));
  }

  @Override
  public void closeAfterFlush() {
    onLoop(tls::closeAfterFlush);
  }

  @Override
  public Protocol protocol() {
    return tls.application();
  }

  @Override
  public void switchProtocol(Protocol next, ByteBuffer leftover) {
    if (inEventLoop()) {
      tls.switchProtocol(next, leftover);
    } else {
      ByteBuffer copy = ByteBuffer.allocate(leftover.remaining()).put(leftover).flip();
      onLoop(() -> tls.switchProtocol(next, copy));
    }
  }

  // ---- the transport's, unchanged ----

  @Override
  public long id() {
    return transport.id();
  }

  @Override
  public Transport transport() {
    return transport.transport();
  }

  @Override
  public SocketAddress localAddress() {
    return transport.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return transport.remoteAddress();
  }

  @Override
  public void suspendReads() {
    transport.suspendReads();
  }

  @Override
  public void resumeReads() {
    transport.resumeReads();
  }

  @Override
  public boolean isOpen() {
    return transport.isOpen();
  }

  @Override
  public ConnectionState state() {
    return transport.state();
  }

  @Override
  public <T> Optional<T> option(SocketOption<T> option) {
    return transport.option(option);
  }

  @Override
  public ConnectionInfo info() {
    return transport.info();
  }

  @Override
  public boolean inEventLoop() {
    return transport.inEventLoop();
  }

  @Override
  public void execute(Runnable task) {
    transport.execute(task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return transport.schedule(delay, task);
  }

  @Override
  public void wakeUpAt(long deadlineNanos) {
    transport.wakeUpAt(deadlineNanos);
  }

  @Override
  public void idleTimeout(Duration idle) {
    transport.idleTimeout(idle);
  }

  @Override
  public long nanoTime() {
    return transport.nanoTime();
  }

  private void onLoop(Runnable action) {
    if (inEventLoop()) {
      action.run();
      return;
    }
    try {
      transport.execute(action);
    } catch (RejectedExecutionException stopped) {
      LOG.log(Level.DEBUG, () -> this + ": loop stopped; dropping a late call");
    }
  }

  @Override
  public String toString() {
    return transport + " (TLS)";
  }
}
