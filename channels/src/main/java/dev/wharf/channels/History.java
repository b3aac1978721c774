package dev.wharf.channels;

import java.util.List;
import java.util.Objects;

/**
 * What a broker holds of a channel when asked: its current position ({@code top}: the epoch and the
 * offset of the last publication, 0 before the first), the offset of the oldest publication it
 * still keeps ({@code top.offset() + 1} when it keeps none), and the publications asked for, in
 * offset order. Immutable.
 */
public record History(StreamPosition top, long oldestKept, List<Publication> publications) {
  public History {
    Objects.requireNonNull(top, "top");
    publications = List.copyOf(publications);
  }

  /**
   * Whether a client that last saw {@code since} can be given everything after it from here: same
   * epoch, not ahead of the channel, and nothing after it dropped from the history yet.
   */
  public boolean covers(StreamPosition since) {
    return since.epoch().equals(top.epoch())
        && since.offset() <= top.offset()
        && since.offset() + 1 >= oldestKept;
  }
}
