package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf serve --quiet} under a flood of silent connections past its descriptor limit (256
 * here, as {@code ulimit -n}; bench/flood does it at full size): it holds no more than it may,
 * serves curl during the flood and after it is dropped. Before, accept failed with EMFILE, the
 * logger's first message needed a file to load the time-zone rules, and the {@link Error} it threw
 * ended the accepting loop: the listener stayed closed for good.
 */
class ServeFloodIT extends EndToEnd {
  private static final int OPEN_FILES = 256;
  private static final int FLOOD = OPEN_FILES * 11 / 10;

  private final List<Socket> flood = new ArrayList<>();

  @AfterEach
  void dropFlood() throws IOException {
    drop();
  }

  @Test
  void aFloodPastTheDescriptorLimitIsHeldAtTheCapAndCurlIsServed() throws Exception {
    Served served = serve();
    open(served.port());
    // The default cap for 256 descriptors is 128: the rest wait, and the idlest make room.
    assertThat(curl(served.port())).isEqualTo("hello\n");
    assertThat(sockets(served.child())).as("sockets the server holds").isLessThanOrEqualTo(128 + 4);
    drop();
    assertThat(curl(served.port())).isEqualTo("hello\n");
  }

  @Test
  void acceptFailingForWantOfDescriptorsLeavesTheListenerOpen() throws Exception {
    Served served = serve("--max-connections", "100000");
    open(served.port());
    served.child().awaitErr("accept on .* failed: Too many open files; pausing");
    drop();
    assertThat(curl(served.port())).isEqualTo("hello\n");
  }

  private record Served(Child child, int port) {}

  private Served serve(String... more) throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.writeString(root.resolve("a.txt"), "hello\n");
    Path out = dir.resolve("serve.out");
    var args = new ArrayList<>(List.of("serve", root.toString()));
    args.addAll(List.of("--port", "0", "--bind", "127.0.0.1", "--quiet"));
    args.addAll(List.of(more));
    Child child = wharfWithOpenFiles(OPEN_FILES, out, args.toArray(String[]::new));
    int port =
        Integer.parseInt(
            ServeAndGetIT.awaitMatch(out, Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/")));
    return new Served(child, port);
  }

  /** Opens the flood: 1.1 times the server's descriptor limit, each connection silent. */
  private void open(int port) throws IOException {
    for (int i = 0; i < FLOOD; i++) {
      // The kernel completes each handshake whether or not the server accepts: never blocks.
      flood.add(new Socket(InetAddress.getLoopbackAddress(), port));
    }
  }

  private void drop() throws IOException {
    for (Socket socket : flood) {
      socket.close();
    }
    flood.clear();
  }

  private String curl(int port) throws Exception {
    return curlLoopback(port, "/a.txt", 15);
  }

  /** Sockets open in the child, from /proc/PID/fd. */
  private static long sockets(Child child) throws IOException {
    try (Stream<Path> fds =
        Files.list(Path.of("/proc", Long.toString(child.process().pid()), "fd"))) {
      return fds.filter(ServeFloodIT::isSocket).count();
    }
  }

  private static boolean isSocket(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString().startsWith("socket:");
    } catch (IOException gone) {
      return false;
    }
  }
}
