package dev.wharf.cli;

import dev.wharf.packets.SynProber;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The training run of the {@code ./wharf} launcher's AOT caches (JEP 483, 514): a cache holds the
 * classes one run loaded and linked, and a run of {@code --version} alone loads little of what the
 * commands use. This one runs what people run most, in one JVM: {@code --version}, {@code --help}
 * (every command's model), {@code sockets}, {@code serve} answering {@code get}, and {@code scan}
 * of its port (with {@code -sS} too where a raw socket is allowed), all on the loopback, then
 * exits; with the argument {@code http}, only {@code serve} answering {@code get}, for the cache
 * those two map. Any failure only makes the cache smaller: the launcher then starts without what
 * was missed.
 */
final class AotTraining {
  private AotTraining() {}

  /** The longest a training run may take: the launcher waits for it before the first command. */
  private static final Duration LIMIT = Duration.ofMinutes(2);

  public static void main(String[] args) throws Exception {
    // What Main.main does first, so that the cache holds its lambda too (linked at run time, it
    // took 2.5 ms of each start); the handler itself is not wanted here: a failure only makes the
    // cache smaller.
    Failures.exitOnUncaught();
    Thread.setDefaultUncaughtExceptionHandler(null);
    Main.nameTheSelectorProvider();
    Thread.ofPlatform()
        .daemon()
        .name("aot-training-limit")
        .start(
            () -> {
              try {
                Thread.sleep(LIMIT);
              } catch (InterruptedException e) {
                return;
              }
              // No cache rather than a launcher that waits: halt skips the cache's writing.
              Runtime.getRuntime().halt(1);
            });
    // "http": the cache serve and get map, trained by them alone (see the launcher).
    boolean all = !List.of(args).equals(List.of("http"));
    if (all) {
      Main.run("--version");
      Main.run("--help");
      // sockets: inspect's classes, its netlink socket's downcalls (FFM) and the table's code,
      // which a listing of tens of thousands of sockets otherwise loads and links while it runs.
      Main.run("sockets", "-tua", "-p", "-e", "-o");
    }
    Path www = Files.createTempDirectory("wharf-aot-training");
    try {
      Path file = Files.writeString(www.resolve("index.html"), "<!doctype html><p>trained\n");
      int port = freePort();
      Thread.ofPlatform()
          .daemon()
          .name("aot-training-serve")
          .start(
              () ->
                  Main.run(
                      "serve",
                      "-b",
                      "127.0.0.1",
                      "-p",
                      String.valueOf(port),
                      "--quiet",
                      www.toString()));
      if (acceptsWithin(port, Duration.ofSeconds(20))) {
        String base = "http://127.0.0.1:" + port + "/";
        Main.run("get", "-s", "-o", "/dev/null", base + file.getFileName());
        Main.run("get", "-s", "-o", "/dev/null", base);
        if (all) {
          trainScan(port);
        }
      }
    } finally {
      try (var files = Files.list(www)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(www);
    }
    // The cache is written as the JVM exits; serve's shutdown hook stops it on the way.
    System.exit(0);
  }

  /** {@code scan} of the port serve listens on, with connects and, where allowed, SYNs. */
  private static void trainScan(int port) {
    Main.run("scan", "127.0.0.1", "-p", String.valueOf(port));
    // A scan of many ports links libc through FFM (EpollConnectProber): its classes too.
    dev.wharf.scan.TcpScanner.linkNow();
    // The SYN scan's downcalls and classes link without privilege; its whole path runs where a raw
    // socket is allowed (root, CAP_NET_RAW), and is left out, silently, elsewhere.
    try {
      SynProber.linkNow();
    } catch (IOException noNativeAccess) {
      // The cache goes without them: a SYN scan links them at its start.
    }
    if (rawSocketAllowed()) {
      Main.run("scan", "-sS", "127.0.0.1", "-p", String.valueOf(port));
    }
  }

  private static boolean rawSocketAllowed() {
    try {
      SynProber.open(InetAddress.getLoopbackAddress()).close();
      return true;
    } catch (IOException | RuntimeException refused) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean acceptsWithin(int port, Duration limit) throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return true;
      } catch (IOException notYet) {
        Thread.sleep(10);
      }
    }
    return false;
  }
}
