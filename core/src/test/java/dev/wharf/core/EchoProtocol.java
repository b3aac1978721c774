package dev.wharf.core;

import java.nio.ByteBuffer;

/** Echoes what it reads, and stops reading while the peer is not taking our output. */
final class EchoProtocol implements Protocol {
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
