package dev.wharf.inspect.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.inspect.Owner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The walk of {@code /proc/PID/fd} in libc against the {@code java.nio.file} one it replaced, on
 * sockets this test opens itself (a listener and a connected pair): the same owners.
 */
class ProcessScanTest {
  private static final long ME = ProcessHandle.current().pid();

  @Test
  void theLibcWalkFindsWhatTheFilesWalkFinds() throws Throwable {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux's /proc");
    try (ServerSocketChannel listener =
            ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel server = listener.accept()) {
      assertThat(client.isConnected() && server.isConnected()).isTrue();
      Map<Long, List<Owner>> native_ = new HashMap<>();
      try (ProcFdScan scan = ProcFdScan.tryCreate().orElseThrow()) {
        assertThat(scan.scan(native_)).isTrue();
      }
      Set<String> byLibc = mine(native_);
      Set<String> byFiles = mine(ProcessScan.socketOwnersWithFiles());

      assertThat(byLibc).hasSizeGreaterThanOrEqualTo(3).isEqualTo(byFiles);
      String command = Files.readString(Path.of("/proc/self/comm")).strip();
      assertThat(native_.values().stream().flatMap(List::stream).filter(o -> o.pid() == ME))
          .allSatisfy(owner -> assertThat(owner.command()).isEqualTo(command));
    }
  }

  @Test
  void socketOwnersUsesLibcAndFindsThisProcess() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux's /proc");
    try (ServerSocketChannel listener =
        ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      assertThat(listener.isOpen()).isTrue();
      assertThat(ProcFdScan.tryCreate()).isPresent();
      assertThat(mine(ProcessScan.socketOwners())).isNotEmpty();
    }
  }

  /** "inode pid/fd" of this process's sockets. */
  private static Set<String> mine(Map<Long, List<Owner>> owners) {
    Set<String> mine = new TreeSet<>();
    owners.forEach(
        (inode, list) ->
            list.stream()
                .filter(owner -> owner.pid() == ME)
                .forEach(owner -> mine.add(inode + " " + owner.pid() + "/" + owner.fd())));
    return mine;
  }
}
