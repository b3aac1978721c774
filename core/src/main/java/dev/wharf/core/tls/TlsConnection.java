package dev.wharf.core.tls;

import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ForwardingConnection;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Protocol;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connection as the application's protocol sees it under TLS: writes are encrypted, files are
 * read and encrypted, closing sends close_notify, and {@link #lookup} offers the {@link
 * TlsSession}; everything else is forwarded to the transport unchanged. Calls from other threads
 * hop to the loop, as the transport's own do.
 */
final class TlsConnection extends ForwardingConnection {
  private static final System.Logger LOG = LazyLogger.of(TlsConnection.class);

  private final TlsProtocol tls;

  TlsConnection(TlsProtocol tls, Connection transport) {
    super(transport);
    this.tls = tls;
  }

  @Override
  public <T> Optional<T> lookup(Class<T> type) {
    if (type == TlsSession.class) {
      return Optional.ofNullable(type.cast(tls.session()));
    }
    return super.lookup(type);
  }

  @Override
  public void write(ByteBuffer data) {
    if (inEventLoop()) {
      tls.write(data);
    } else {
      tls.handOver(ByteBuffer.allocate(data.remaining()).put(data).flip());
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

  private void onLoop(Runnable action) {
    if (inEventLoop()) {
      action.run();
      return;
    }
    try {
      delegate().execute(action);
    } catch (RejectedExecutionException stopped) {
      LOG.log(Level.DEBUG, () -> this + ": loop stopped; dropping a late call");
    }
  }

  @Override
  public String toString() {
    return delegate() + " (TLS)";
  }
}
