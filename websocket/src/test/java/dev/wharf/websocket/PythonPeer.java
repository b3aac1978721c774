package dev.wharf.websocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Debian Python program as the peer under /usr/bin/python3 (where Debian's python3-autobahn and
 * python3-websockets live): reads its stdout line by line with a deadline, and kills it on close.
 */
final class PythonPeer implements AutoCloseable {
  static final Path SCRIPTS = Path.of("src/test/python");

  private final Process process;
  private final BufferedReader out;
  private final Path errors;

  private PythonPeer(Process process, Path errors) {
    this.process = process;
    this.errors = errors;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static PythonPeer start(String script, String... args) throws IOException {
    var command = new ArrayList<String>();
    command.add("/usr/bin/python3");
    command.add(SCRIPTS.resolve(script).toString());
    command.addAll(List.of(args));
    Path errors = Files.createTempFile("wharf-python-peer", ".err");
    Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
    return new PythonPeer(process, errors);
  }

  /** The next line of output, or null at its end; fails past the deadline. */
  String readLine(long timeoutSeconds) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (!out.ready()) {
      if (!process.isAlive()) {
        return out.readLine();
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "no output from python peer within " + timeoutSeconds + " s; stderr: " + stderr());
      }
      try {
        Thread.sleep(5); // Polling a pipe: there is no readLine with a timeout.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    return out.readLine();
  }

  /** Everything until the program ends; fails past the deadline. */
  List<String> readAll(long timeoutSeconds) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    var lines = new ArrayList<String>();
    while (true) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
      String line = readLine(left);
      if (line == null) {
        return lines;
      }
      lines.add(line);
    }
  }

  String stderr() {
    try {
      String text = Files.readString(errors);
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Closes its stdin (servers stop on that). */
  void closeInput() throws IOException {
    OutputStream in = process.getOutputStream();
    in.close();
  }

  int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.close();
    Files.deleteIfExists(errors);
  }
}
