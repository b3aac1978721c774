package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the end-to-end tests share: children that are always ended, files in a temporary directory
 * that JUnit removes, random payloads and their digests, and waits with deadlines.
 */
@Timeout(60)
public abstract class EndToEnd {
  @TempDir protected Path dir;
  private final List<Child> children = new ArrayList<>();
  private final Random random = new Random(862);

  /**
   * Starts wharf with {@code XDG_DATA_HOME} in the test's directory, so that what it keeps (the
   * self-signed certificate of {@code --tls}) stays out of the home directory.
   */
  protected Child wharf(Path stdin, Path stdout, String... args) throws IOException {
    return wharf(Map.of(), stdin, stdout, args);
  }

  /** Starts wharf with these environment variables too. */
  protected Child wharf(Map<String, String> environment, Path stdin, Path stdout, String... args)
      throws IOException {
    return start(environment, stdin, stdout, false, args);
  }

  /**
   * Starts {@code wharf serve ROOT} on 127.0.0.1 and a port the kernel picks, with {@code more}
   * options and these environment variables, and returns the port once its startup line names it.
   */
  protected int serveOnLoopback(Map<String, String> environment, Path root, String... more)
      throws IOException, InterruptedException {
    return serveOnLoopback(Files.createTempFile(dir, "serve", ".out"), environment, root, more);
  }

  /**
   * As {@link #serveOnLoopback(Map, Path, String...)}, its stdout (the access log) into {@code
   * out}.
   */
  protected int serveOnLoopback(
      Path out, Map<String, String> environment, Path root, String... more)
      throws IOException, InterruptedException {
    wharf(environment, null, out, serveOnLoopbackArgs(root, more));
    return servedPort(out, "http");
  }

  /** The arguments of {@code wharf serve ROOT} on a free port of 127.0.0.1, then {@code more}. */
  protected static String[] serveOnLoopbackArgs(Path root, String... more) {
    var args =
        new ArrayList<>(List.of("serve", root.toString(), "--port", "0", "--bind", "127.0.0.1"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** The port in the startup line that serve on 127.0.0.1 writes to {@code out}, once written. */
  protected static int servedPort(Path out, String scheme) {
    return Integer.parseInt(
        awaitMatch(out, Pattern.compile("on " + scheme + "://127\\.0\\.0\\.1:(\\d+)/")));
  }

  /** Starts {@code wharf ws args}; stdout goes to {@code out}. */
  protected Child ws(Path stdin, Path out, String... args) throws IOException {
    var all = new ArrayList<String>();
    all.add("ws");
    all.addAll(List.of(args));
    return wharf(stdin, out, all.toArray(String[]::new));
  }

  /** Starts wharf with at most {@code openFiles} file descriptors (as {@code ulimit -n}). */
  protected Child wharfWithOpenFiles(int openFiles, Path stdout, String... args)
      throws IOException {
    return wharfWithOpenFiles(openFiles, Map.of(), stdout, args);
  }

  /** As {@link #wharfWithOpenFiles(int, Path, String...)}, with these environment variables too. */
  protected Child wharfWithOpenFiles(
      int openFiles, Map<String, String> environment, Path stdout, String... args)
      throws IOException {
    var all = new HashMap<String, String>(environment);
    all.put("XDG_DATA_HOME", dataHome().toString());
    Child child =
        Child.wharfUnder(
            List.of("prlimit", "--nofile=" + openFiles + ":" + openFiles, "--"),
            all,
            null,
            stdout,
            args);
    children.add(child);
    return child;
  }

  /**
   * Starts wharf in {@code peer}'s namespaces, so that it sees the sockets there and only those,
   * hearing SIGINT whatever this JVM inherited.
   */
  protected Child wharfIn(NamespacePeer peer, Path stdout, String... args) throws IOException {
    var prefix = new ArrayList<>(peer.inside("/usr/bin/env", "--default-signal=INT"));
    Child child =
        Child.wharfUnder(
            prefix, Map.of("XDG_DATA_HOME", dataHome().toString()), null, stdout, args);
    children.add(child);
    return child;
  }

  /** Starts wharf so that it hears SIGINT, whatever this JVM inherited; see {@link Child}. */
  protected Child wharfHearingSigint(Path stdin, Path stdout, String... args) throws IOException {
    return start(Map.of(), stdin, stdout, true, args);
  }

  private Child start(
      Map<String, String> environment, Path stdin, Path stdout, boolean hearsSigint, String... args)
      throws IOException {
    var all = new HashMap<String, String>();
    all.put("XDG_DATA_HOME", dataHome().toString());
    all.putAll(environment);
    Child child = Child.wharf(all, stdin, stdout, hearsSigint, args);
    children.add(child);
    return child;
  }

  /** The XDG_DATA_HOME of the wharf children. */
  protected Path dataHome() {
    return dir.resolve("xdg-data");
  }

  protected Child peer(Path stdin, Path stdout, String... command) throws IOException {
    return peer(Map.of(), stdin, stdout, command);
  }

  /** Starts a peer with these environment variables too. */
  protected Child peer(Map<String, String> environment, Path stdin, Path stdout, String... command)
      throws IOException {
    Child child = Child.start(environment, stdin, stdout, command);
    children.add(child);
    return child;
  }

  @AfterEach
  protected void endChildren() throws InterruptedException {
    for (Child child : children) {
      child.end();
    }
  }

  protected Path randomFile(String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  /**
   * What {@code curl -sS args} printed (its errors merged in, as a user sees them) and then, after
   * a space, the HTTP status it got.
   */
  protected static String curlWithStatus(String... args) throws IOException {
    var command = new ArrayList<>(List.of("curl", "-sS", "-w", " %{http_code}"));
    command.addAll(List.of(args));
    return ExternalProcess.command(command).mergeErrors().run(Duration.ofSeconds(60)).out();
  }

  /**
   * The file {@code curl -sS -f} downloaded from {@code path} on 127.0.0.1:{@code port}, after it
   * exited 0.
   */
  protected Path curlDownload(int port, String path) throws Exception {
    return curlToFile(port, path, Duration.ofSeconds(10), "-f");
  }

  /**
   * What {@code curl -sS -m seconds} got from {@code path} on 127.0.0.1:{@code port}, after it
   * ended (within 5 s more) with exit 0.
   */
  protected String curlLoopback(int port, String path, int seconds) throws Exception {
    Path body =
        curlToFile(port, path, Duration.ofSeconds(seconds + 5), "-m", Integer.toString(seconds));
    return Files.readString(body, StandardCharsets.UTF_8);
  }

  /**
   * Runs {@code curl -sS options} on {@code path} of 127.0.0.1:{@code port}, its stdout into a new
   * file; checks that it ended within {@code wait} with exit 0, and returns the file.
   */
  private Path curlToFile(int port, String path, Duration wait, String... options)
      throws Exception {
    Path body = Files.createTempFile(dir, "curl", ".out");
    var command = new ArrayList<>(List.of("curl", "-sS"));
    command.addAll(List.of(options));
    command.add("http://127.0.0.1:" + port + path);
    Child curl = peer(null, body, command.toArray(String[]::new));
    assertThat(curl.process().waitFor(wait.toMillis(), TimeUnit.MILLISECONDS))
        .as("curl ended")
        .isTrue();
    assertThat(curl.awaitExit()).as("curl exit; stderr: %s", curl.errLines()).isZero();
    return body;
  }

  protected static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until {@code file} holds at least {@code size} bytes (UDP has no end to wait for). */
  protected static void awaitSize(Path file, long size) {
    // A file has nothing to block on: polled.
    Await.until(
        file + " to hold " + size + " bytes", Duration.ofSeconds(10), () -> sizeOf(file) >= size);
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code trickle_server.py}, which announces a 200 MiB body and sends it at 1.25 MiB/s to
   * one client, and returns its port.
   */
  protected int trickleServer() throws Exception {
    Path script = Path.of(EndToEnd.class.getResource("/trickle_server.py").toURI());
    Path out = dir.resolve("trickle.out");
    peer(null, out, "/usr/bin/python3", "-u", script.toString());
    return Integer.parseInt(awaitMatch(out, java.util.regex.Pattern.compile("port (\\d+)")));
  }

  /** Starts Python's http.server on 127.0.0.1 serving {@code root}, its output to {@code out}. */
  protected int pythonHttpServer(Path root, Path out) throws Exception {
    peer(
        null,
        out,
        "/usr/bin/python3",
        "-u",
        "-m",
        "http.server",
        "--bind",
        "127.0.0.1",
        "--directory",
        root.toString(),
        "0");
    return Integer.parseInt(awaitMatch(out, Pattern.compile("port (\\d+)")));
  }

  /** A port nothing listens on, most likely: the kernel just gave it out and took it back. */
  protected static int closedPort() throws IOException {
    try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The port a {@code wharf -v} server prints it listens on. */
  protected static int listeningPort(Child server, String transport) throws InterruptedException {
    return Integer.parseInt(
        server.awaitErr("listening on " + transport + " 127\\.0\\.0\\.1:(\\d+)").group(1));
  }

  /** The port {@code socat -d -d} prints it listens on. */
  protected static int socatPort(Child socat) throws InterruptedException {
    return Integer.parseInt(socat.awaitErr("listening on .*127\\.0\\.0\\.1:(\\d+)").group(1));
  }

  /** Waits for a line matching {@code pattern} in a file a child writes; returns group 1. */
  public static String awaitMatch(Path file, Pattern pattern) {
    var found = new String[1];
    // A file has nothing to block on: polled.
    Await.until(
        pattern + " in " + file,
        Duration.ofSeconds(20),
        () -> {
          try {
            Matcher matcher =
                pattern.matcher(
                    Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "");
            if (matcher.find()) {
              found[0] = matcher.group(1);
            }
            return found[0] != null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return found[0];
  }
}
