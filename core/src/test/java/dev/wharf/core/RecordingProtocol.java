package dev.wharf.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Records what happens on a connection, for tests to wait on and check. At the peer's FIN it closes
 * once its writes are out, as {@link Protocol#inputClosed} does by default.
 *
 * <p>Called on the connection's loop; the tests read it from their own thread.
 */
public class RecordingProtocol implements Protocol {
  public final CompletableFuture<Connection> opened = new CompletableFuture<>();
  public final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
  public final CompletableFuture<Void> inputClosed = new CompletableFuture<>();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  @Override
  public void opened(Connection connection) {
    opened.complete(connection);
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    synchronized (received) {
      received.writeBytes(bytes);
    }
  }

  @Override
  public void inputClosed(Connection connection) {
    inputClosed.complete(null);
    connection.closeAfterFlush();
  }

  @Override
  public void closed(Connection connection, CloseReason reason) {
    closed.complete(reason);
  }

  public byte[] receivedBytes() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  /** What came, one char per byte (ISO-8859-1): any bytes read back as they were. */
  public String receivedText() {
    synchronized (received) {
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }

  public int receivedCount() {
    synchronized (received) {
      return received.size();
    }
  }
}
