package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf serve} on a 48 MiB heap under many multi-range requests whose answers nobody reads
 * (bench/flood ranges does it at full size): each waiting answer must cost the server a socket's
 * buffers, not heap, so curl is served during the flood and after it is dropped, and the served
 * file is closed once its connections are. Before, each answer was copied through the heap from the
 * handler's thread, and the copies handed to the loop were not held back by the connection's
 * watermark: the heap filled and the server answered nobody.
 */
class ServeRangesFloodIT extends EndToEnd {
  private static final int REQUESTS = 150;
  private static final int RANGES = 16;
  private static final int PART = 256 * 1024;
  private static final long FILE_SIZE = 16L * 1024 * 1024;

  private final List<Socket> flood = new ArrayList<>();

  @AfterEach
  void dropFlood() throws IOException {
    drop();
  }

  @Test
  void unreadMultiRangeAnswersCostNoHeapAndCurlIsServed() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.writeString(root.resolve("a.txt"), "hello\n");
    Path big = root.resolve("big.bin");
    try (var file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(FILE_SIZE); // Sparse: the bytes do not matter, only that there are many.
    }
    Path out = dir.resolve("serve.out");
    Child server =
        wharf(
            Map.of("JDK_JAVA_OPTIONS", "-Xmx48m"), null, out, serveOnLoopbackArgs(root, "--quiet"));
    int port = servedPort(out, "http");

    open(port);
    awaitAnswering(server);
    assertThat(curl(port)).as("curl during the flood").isEqualTo("hello\n");
    drop();
    awaitClosed(server, big);
    assertThat(curl(port)).as("curl after the flood").isEqualTo("hello\n");
  }

  /**
   * Sends each request for {@link #RANGES} disjoint ranges of 256 KiB (4 MiB an answer) on a socket
   * with a small receive buffer, and never reads.
   */
  private void open(int port) throws IOException {
    long step = FILE_SIZE / RANGES;
    String ranges =
        IntStream.range(0, RANGES)
            .mapToObj(i -> (i * step) + "-" + (i * step + PART - 1))
            .collect(Collectors.joining(","));
    byte[] request =
        ("GET /big.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=" + ranges + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < REQUESTS; i++) {
      var socket = new Socket();
      socket.setReceiveBufferSize(4096); // Before connecting: it sets the window offered.
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      flood.add(socket);
      OutputStream toServer = socket.getOutputStream();
      toServer.write(request);
      toServer.flush();
    }
  }

  /** Waits until the server has begun to answer every request: bytes wait in each socket. */
  private void awaitAnswering(Child server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int answering = 0;
    while (System.nanoTime() < deadline) {
      answering = 0;
      for (Socket socket : flood) {
        if (socket.getInputStream().available() > 0) { // Looks, does not read.
          answering++;
        }
      }
      if (answering == flood.size()) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(answering)
        .as("requests the server began to answer; server stderr: %s", server.errLines())
        .isEqualTo(flood.size());
  }

  /** Waits until the server holds the served file open no more (all its answers were dropped). */
  private static void awaitClosed(Child server, Path file) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long open;
    do {
      open = descriptorsOf(server, file);
      if (open == 0) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertThat(open).as("descriptors of %s still open", file.getFileName()).isZero();
  }

  /** Descriptors in the server that name {@code file}, from /proc/PID/fd. */
  private static long descriptorsOf(Child server, Path file) throws IOException {
    Path real = file.toRealPath();
    try (Stream<Path> fds =
        Files.list(Path.of("/proc", Long.toString(server.process().pid()), "fd"))) {
      return fds.filter(fd -> names(fd, real)).count();
    }
  }

  private static boolean names(Path fd, Path file) {
    try {
      return Files.readSymbolicLink(fd).equals(file);
    } catch (IOException gone) {
      return false;
    }
  }

  private void drop() throws IOException {
    for (Socket socket : flood) {
      socket.close();
    }
    flood.clear();
  }

  private String curl(int port) throws Exception {
    return curlLoopback(port, "/a.txt", 10);
  }
}
