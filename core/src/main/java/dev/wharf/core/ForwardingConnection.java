package dev.wharf.core;

import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Connection} that passes every call to another, as Okio's {@code Forwarding*} types do: a
 * subclass changes the calls it cares about and inherits the rest. A layer's view of the connection
 * (TLS encrypts writes and forwards the rest to the transport) and a tracer that looks at writes on
 * the way ({@code wharf ws -v}) are both made this way.
 *
 * <p>Threads as the connection it forwards to.
 */
public class ForwardingConnection implements Connection {
  private final Connection delegate;

  protected ForwardingConnection(Connection delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The connection calls go to. */
  protected final Connection delegate() {
    return delegate;
  }

  @Override
  public long id() {
    return delegate.id();
  }

  @Override
  public Transport transport() {
    return delegate.transport();
  }

  @Override
  public SocketAddress localAddress() {
    return delegate.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return delegate.remoteAddress();
  }

  @Override
  public void write(ByteBuffer data) {
    delegate.write(data);
  }

  @Override
  public void writeFile(FileChannel file, long position, long count) {
    delegate.writeFile(file, position, count);
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public long pendingBytes() {
    return delegate.pendingBytes();
  }

  @Override
  public long bytesWritten() {
    return delegate.bytesWritten();
  }

  @Override
  public boolean isWritable() {
    return delegate.isWritable();
  }

  @Override
  public void suspendReads() {
    delegate.suspendReads();
  }

  @Override
  public void resumeReads() {
    delegate.resumeReads();
  }

  @Override
  public void shutdownOutput() {
    delegate.shutdownOutput();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public void close(CloseReason reason) {
    delegate.close(reason);
  }

  @Override
  public void closeAfterFlush() {
    delegate.closeAfterFlush();
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public ConnectionState state() {
    return delegate.state();
  }

  @Override
  public <T> Optional<T> option(SocketOption<T> option) {
    return delegate.option(option);
  }

  @Override
  public ConnectionInfo info() {
    return delegate.info();
  }

  @Override
  public Protocol protocol() {
    return delegate.protocol();
  }

  /** The next protocol gets the real connection: whatever looked on the way steps aside. */
  @Override
  public void switchProtocol(Protocol next, ByteBuffer leftover) {
    delegate.switchProtocol(next, leftover);
  }

  @Override
  public boolean inEventLoop() {
    return delegate.inEventLoop();
  }

  @Override
  public void execute(Runnable task) {
    delegate.execute(task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return delegate.schedule(delay, task);
  }

  @Override
  public void wakeUpAt(long deadlineNanos) {
    delegate.wakeUpAt(deadlineNanos);
  }

  @Override
  public void idleTimeout(Duration idle) {
    delegate.idleTimeout(idle);
  }

  @Override
  public long nanoTime() {
    return delegate.nanoTime();
  }

  @Override
  public <T> Optional<T> lookup(Class<T> type) {
    return delegate.lookup(type);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
