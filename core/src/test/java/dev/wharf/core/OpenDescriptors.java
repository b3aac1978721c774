package dev.wharf.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts this process's sockets by reading {@code /proc/self/fd}, so tests can show they leaked
 * none. Class loading opens files but never sockets, which keeps the count exact. (Selectors are
 * not counted: the JDK keeps epoll descriptors of its own for virtual threads; a loop's selector is
 * closed when its thread ends, which the tests check.)
 */
final class OpenDescriptors {
  static {
    // The JDK keeps one socket for life from the first close of a registered channel (the
    // "pre-close" descriptor it dup2s over closing ones): make it exist before anyone counts.
    try (Selector selector = Selector.open();
        SocketChannel channel = SocketChannel.open()) {
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private OpenDescriptors() {}

  static long sockets() {
    return list().size();
  }

  /** "fd -> target" for each socket and selector. */
  static java.util.List<String> list() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(
              fd ->
                  fd.getFileName()
                      + " -> "
                      + target(fd)
                      + (target(fd).startsWith("socket:[")
                          ? " " + describe(target(fd).substring(8, target(fd).length() - 1))
                          : ""))
          .filter(t -> t.contains("socket:"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the kernel says of a socket inode (its /proc/net line), for failure messages. */
  static String describe(String inode) {
    for (String table : new String[] {"tcp", "tcp6", "udp", "udp6", "unix", "netlink"}) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/net/" + table))) {
          if (line.matches(".*\\b" + inode + "\\b.*")) {
            return table + ": " + line.trim();
          }
        }
      } catch (IOException e) {
        // Table missing here: look in the next.
      }
    }
    return "unknown socket " + inode;
  }

  private static String target(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString();
    } catch (IOException e) {
      return ""; // Closed between listing and reading: not open.
    }
  }
}
