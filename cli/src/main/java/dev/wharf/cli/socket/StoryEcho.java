package dev.wharf.cli.socket;

import dev.wharf.cli.Story;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;

/** Echo as {@code wharf echo} runs it: the engine's echo, telling each connection's story. */
final class StoryEcho extends dev.wharf.core.EchoProtocol {
  private final Story story;

  StoryEcho(Story story) {
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
  public void closed(Connection connection, CloseReason reason) {
    story.tell("connection " + connection.id() + " " + Story.closing(connection.info(), reason));
  }
}
