package dev.wharf.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Limits the kernel sets on this process, as far as sizing sockets goes. Any thread may call it;
 * each call reads the value afresh.
 */
public final class ProcessLimits {
  private ProcessLimits() {}

  /**
   * The soft limit on open files (RLIMIT_NOFILE) from Linux's {@code /proc/self/limits}, which the
   * JVM has already raised to the hard limit at start. Read there rather than through {@code
   * com.sun.management.UnixOperatingSystemMXBean}, which would need the {@code jdk.management}
   * module; empty where there is no such file or no limit.
   */
  public static OptionalLong openFiles() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
          return fields[0].chars().allMatch(Character::isDigit)
              ? OptionalLong.of(Long.parseLong(fields[0]))
              : OptionalLong.empty();
        }
      }
    } catch (IOException | RuntimeException notLinux) {
      // No such file: the caller assumes a limit of its own.
    }
    return OptionalLong.empty();
  }
}
