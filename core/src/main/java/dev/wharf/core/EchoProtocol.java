package dev.wharf.core;

import java.nio.ByteBuffer;

/**
 * Echo (RFC 862): sends back every byte received. A peer that sends faster than it reads is held
 * back: reading stops while the write queue is over its high watermark and resumes once it has
 * drained, so memory stays bounded whatever the peer does. On the peer's FIN it finishes writing
 * and closes (the {@link Protocol} default).
 *
 * <p>Runs on the connection's loop, as every protocol does. Subclasses may add to {@link #opened}
 * and {@link #closed} (to log, say).
 */
public class EchoProtocol implements Protocol {

  @Override
  public void received(Connection connection, ByteBuffer data) {
    connection.write(data);
    if (!connection.isWritable()) {
      connection.suspendReads();
    }
  }

  @Override
  public void writabilityChanged(Connection connection, boolean writable) {
    if (writable) {
      connection.resumeReads();
    }
  }

  @Override
  public String name() {
    return "echo";
  }
}
