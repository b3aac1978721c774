package dev.wharf.channels;

import java.util.Objects;

/**
 * A place in a channel's stream: the epoch (which history this is) and an offset in it. A client
 * that saw offset 41 of epoch {@code "e1"} asks to recover with {@code since = (e1, 41)}.
 * Immutable.
 */
public record StreamPosition(String epoch, long offset) {
  public StreamPosition {
    Objects.requireNonNull(epoch, "epoch");
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be 0 or more, got " + offset);
    }
  }
}
