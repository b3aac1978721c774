package dev.wharf.inspect.internal;

import dev.wharf.core.LazyLogger;
import dev.wharf.inspect.Owner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds which processes hold which sockets, as {@code ss -p} does: every {@code /proc/PID/fd/N}
 * that links to {@code socket:[INODE]}. Processes that end during the scan, and those whose
 * descriptors we may not read (another user's, without root), are skipped. The walk is made in libc
 * ({@link ProcFdScan}) and, where that cannot be linked, with {@code java.nio.file}. Stateless; any
 * thread.
 */
public final class ProcessScan {
  private static final System.Logger LOG = LazyLogger.of(ProcessScan.class);
  private static final Path PROC = Path.of("/proc");
  private static final String SOCKET_LINK = "socket:[";

  private ProcessScan() {}

  /** The owners of each socket inode, in the order the processes were found. */
  public static Map<Long, List<Owner>> socketOwners() {
    Optional<ProcFdScan> scanner = ProcFdScan.tryCreate();
    if (scanner.isPresent()) {
      try (ProcFdScan scan = scanner.get()) {
        Map<Long, List<Owner>> owners = new HashMap<>();
        if (scan.scan(owners)) {
          return owners;
        }
      } catch (Error e) {
        throw e;
      } catch (Throwable e) {
        LOG.log(System.Logger.Level.DEBUG, "scanning /proc in libc failed: {0}", e.toString());
      }
    }
    return socketOwnersWithFiles();
  }

  /** {@link #socketOwners} with {@code java.nio.file}: a String and a Path per descriptor. */
  static Map<Long, List<Owner>> socketOwnersWithFiles() {
    Map<Long, List<Owner>> owners = new HashMap<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, ProcessScan::isPid)) {
      for (Path process : processes) {
        scan(process, owners);
      }
    } catch (IOException e) {
      return owners; // no /proc: no owners, the sockets are still listed
    }
    return owners;
  }

  private static boolean isPid(Path path) {
    String name = path.getFileName().toString();
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static void scan(Path process, Map<Long, List<Owner>> owners) {
    int pid = Integer.parseInt(process.getFileName().toString());
    String command = null;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
      for (Path fd : fds) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException | UnsupportedOperationException e) {
          continue; // closed meanwhile
        }
        if (!target.startsWith(SOCKET_LINK) || !target.endsWith("]")) {
          continue;
        }
        long inode = Long.parseLong(target, SOCKET_LINK.length(), target.length() - 1, 10);
        if (command == null) {
          command = command(process);
        }
        owners
            .computeIfAbsent(inode, key -> new ArrayList<>(1))
            .add(new Owner(pid, command, Integer.parseInt(fd.getFileName().toString())));
      }
    } catch (IOException e) {
      // The process ended, or its descriptors are not ours to read: as ss, leave it out.
    }
  }

  /** {@code /proc/PID/comm} without its newline; empty if the process has gone. */
  private static String command(Path process) {
    try {
      String comm = Files.readString(process.resolve("comm"), StandardCharsets.UTF_8);
      return comm.endsWith("\n") ? comm.substring(0, comm.length() - 1) : comm;
    } catch (IOException e) {
      return "";
    }
  }
}
