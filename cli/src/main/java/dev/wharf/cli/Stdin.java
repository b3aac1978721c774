package dev.wharf.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** What this process's stdin is, where that changes how a session ends. */
final class Stdin {
  private Stdin() {}

  /**
   * True when stdin is a regular file, which is sure to end soon. On Linux {@code /proc/self/fd/0}
   * names it; elsewhere the answer is false.
   */
  static boolean isRegularFile() {
    Path fd = Path.of("/proc/self/fd/0");
    return Files.isSymbolicLink(fd) && Files.isRegularFile(fd);
  }
}
