package dev.wharf.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** Records what happens on a connection, for tests to wait on and check. */
class RecordingProtocol implements Protocol {
  final CompletableFuture<Connection> opened = new CompletableFuture<>();
  final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
  final AtomicBoolean inputClosed = new AtomicBoolean();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  @Override
  public void opened(Connection connection) {
    opened.complete(connection);
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    synchronized (received) {
      while (data.hasRemaining()) {
        received.write(data.get());
      }
    }
  }

  @Override
  public void inputClosed(Connection connection) {
    inputClosed.set(true);
    connection.closeAfterFlush();
  }

  @Override
  public void closed(Connection connection, CloseReason reason) {
    closed.complete(reason);
  }

  byte[] receivedBytes() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  int receivedCount() {
    synchronized (received) {
      return received.size();
    }
  }
}
