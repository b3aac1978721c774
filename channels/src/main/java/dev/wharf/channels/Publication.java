package dev.wharf.channels;

import java.util.Objects;

/**
 * One message published to a channel, with the offset its broker assigned it. {@code data} is the
 * JSON value as the publisher wrote it, character for character, and is delivered so. Immutable.
 */
public record Publication(String channel, String epoch, long offset, String data) {
  public Publication {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(data, "data");
    if (offset < 1) {
      throw new IllegalArgumentException("offsets start at 1, got " + offset);
    }
  }

  public StreamPosition position() {
    return new StreamPosition(epoch, offset);
  }
}
