package dev.wharf.cli;

import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import java.nio.ByteBuffer;

/**
 * Echo (RFC 862): sends back every byte received. A peer that sends faster than it reads is held
 * back: reading stops while our write queue is over its high watermark and resumes once it has
 * drained, so memory stays bounded whatever the peer does. On the peer's FIN we finish writing and
 * close.
 *
 * <p>Runs on the connection's loop, as every protocol does.
 */
final class EchoProtocol implements Protocol {
  private final Story story;

  EchoProtocol(Story story) {
    this.story = story;
  }

  @Override
  public void opened(Connection connection) {
    story.tell(
        "connection "
            + connection.id()
            + " from "
            + Story.format(connection.remoteAddress())
            + " to "
            + Story.format(connection.localAddress()));
  }

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
  public void closed(Connection connection, CloseReason reason) {
    story.tell("connection " + connection.id() + " " + Story.closing(connection.info(), reason));
  }

  @Override
  public String name() {
    return "echo";
  }
}
