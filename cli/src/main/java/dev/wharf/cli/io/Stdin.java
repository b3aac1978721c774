package dev.wharf.cli.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this process's stdin is, where that changes how a session ends. */
public final class Stdin {
  private Stdin() {}

  /** How many bytes a read of {@code in} would return at once (a pipe's FIONREAD); 0 if unknown. */
  public static long waiting(InputStream in) {
    try {
      return in.available();
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * True when stdin is a regular file, which is sure to end soon. On Linux {@code /proc/self/fd/0}
   * names it; elsewhere the answer is false.
   */
  public static boolean isRegularFile() {
    Path fd = Path.of("/proc/self/fd/0");
    return Files.isSymbolicLink(fd) && Files.isRegularFile(fd);
  }
}
