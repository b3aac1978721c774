package dev.wharf.cli;

import dev.wharf.packets.SynProber;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The training run of the {@code ./wharf} launcher's AOT caches (JEP 483, 514): a cache holds the
 * classes one run loaded and linked, and a run of {@code --version} alone loads little of what the
 * commands use. This one runs what people run most, in one JVM: {@code --version}, {@code --help}
 * (every command's model), {@code sockets}, {@code serve} answering {@code get}, and {@code scan}
 * of its port (with {@code -sS} too where a raw socket is allowed), all on the loopback, then
 * exits. With the argument {@code serve}, only serve, answering requests written on a plain socket,
 * and with {@code get}, only get, fetching from a plain socket thread: the caches those two
 * commands map, each without the other's classes. Any failure only makes the cache smaller: the
 * launcher then starts without what was missed.
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
    String group = args.length == 0 ? "all" : args[0];
    switch (group) {
      case "serve" -> trainServe(false);
      case "get" -> trainGet();
      default -> {
        Main.run("--version");
        Main.run("--help");
        // sockets: inspect's classes, its netlink socket's downcalls (FFM) and the table's code,
        // which a listing of tens of thousands of sockets otherwise loads and links while it runs.
        Main.run("sockets", "-tua", "-p", "-e", "-o");
        trainServe(true);
      }
    }
    // The cache is written as the JVM exits; serve's shutdown hook stops it on the way.
    System.exit(0);
  }

  /**
   * {@code serve} of a directory answering a file and the directory's listing. For serve's own
   * cache the requests are written on a plain socket, so that the cache holds no client's classes
   * (every class of a cache is loaded at each start); for the cache of all the commands, {@code
   * get} asks, and {@code scan} probes the port.
   */
  private static void trainServe(boolean all) throws IOException, InterruptedException {
    Path www = Files.createTempDirectory("wharf-aot-training");
    try {
      Path file = Files.writeString(www.resolve("index.html"), "<!doctype html><p>trained\n");
      int port = freePort();
      // Not --quiet, as serve mostly runs: the access log's line (its string concatenations,
      // which the cache keeps linked) was linked at the first request, 5 ms of the loop's time.
      Thread.ofPlatform()
          .daemon()
          .name("aot-training-serve")
          .start(
              () ->
                  Main.run("serve", "-b", "127.0.0.1", "-p", String.valueOf(port), www.toString()));
      if (!acceptsWithin(port, Duration.ofSeconds(20))) {
        return;
      }
      String base = "http://127.0.0.1:" + port + "/";
      if (all) {
        Main.run("get", "-s", "-o", "/dev/null", base + file.getFileName());
        Main.run("get", "-s", "-o", "/dev/null", base);
        trainScan(port);
      } else {
        askOnASocket(port, "/" + file.getFileName());
        askOnASocket(port, "/");
      }
    } finally {
      try (var files = Files.list(www)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(www);
    }
  }

  /** One GET on a plain socket, its answer read to the end (the request asks for the close). */
  private static void askOnASocket(int port, String path) throws IOException {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getInputStream().transferTo(OutputStream.nullOutputStream());
    }
  }

  /**
   * {@code get} of a file and of a page, from a server on a plain socket thread that answers every
   * request with a small page and closes: the cache of get holds no server's classes.
   */
  private static void trainGet() throws IOException {
    try (var server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread.ofPlatform().daemon().name("aot-training-answer").start(() -> answerAll(server));
      String base = "http://127.0.0.1:" + server.getLocalPort() + "/";
      Main.run("get", "-s", "-o", "/dev/null", base + "index.html");
      Main.run("get", "-s", "-o", "/dev/null", base);
    }
  }

  private static void answerAll(ServerSocket server) {
    byte[] body = "<!doctype html><p>trained\n".getBytes(StandardCharsets.US_ASCII);
    byte[] head =
        ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                + body.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    while (!server.isClosed()) {
      try (var socket = server.accept()) {
        socket.setSoTimeout(10_000);
        var in = socket.getInputStream();
        // The request's head, to its blank line: get sends no body.
        for (int last = 0, b; (b = in.read()) >= 0; ) {
          last = (last << 8 | b) & 0xFFFFFFFF;
          if (last == 0x0D0A0D0A) {
            break;
          }
        }
        socket.getOutputStream().write(head);
        socket.getOutputStream().write(body);
      } catch (IOException closedOrGone) {
        // The server closed at the end of the training, or get left: the next one, if any.
      }
    }
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
