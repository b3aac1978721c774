package dev.wharf.cli.admin;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The charts' data: one sample a second over the last minutes, oldest first. Confined to the admin
 * loop.
 */
final class Timeline {
  /** One second of the server's life. */
  record Sample(
      long epochSecond,
      long connections,
      double requestsPerSecond,
      double bytesInPerSecond,
      double bytesOutPerSecond) {}

  /** Five minutes of samples. */
  static final int CAPACITY = 300;

  private final ArrayDeque<Sample> samples = new ArrayDeque<>(CAPACITY);

  void add(Sample sample) {
    if (samples.size() == CAPACITY) {
      samples.removeFirst();
    }
    samples.addLast(sample);
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }
}
