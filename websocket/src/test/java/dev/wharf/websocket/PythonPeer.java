package dev.wharf.websocket;

import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Debian Python program as the peer under /usr/bin/python3 (where Debian's python3-autobahn and
 * python3-websockets live): the testkit's {@link ExternalProcess}, its stdout read line by line
 * with a deadline and its stderr kept apart for failure messages.
 */
final class PythonPeer implements AutoCloseable {
  static final Path SCRIPTS = Path.of("src/test/python");

  private final ExternalProcess process;

  private PythonPeer(ExternalProcess process) {
    this.process = process;
  }

  static PythonPeer start(String script, String... args) throws IOException {
    var command = new ArrayList<String>();
    command.add("/usr/bin/python3");
    command.add(SCRIPTS.resolve(script).toString());
    command.addAll(List.of(args));
    return new PythonPeer(ExternalProcess.command(command).start());
  }

  /** The next line of output, or null at its end; fails past the deadline. */
  String readLine(long timeoutSeconds) {
    return process.awaitLine(Duration.ofSeconds(timeoutSeconds));
  }

  /** Everything until the program ends; fails past the deadline. */
  List<String> readAll(long timeoutSeconds) {
    return process.awaitLines(Duration.ofSeconds(timeoutSeconds));
  }

  /** The end of its stderr, for a failure message. */
  String stderr() {
    String text = process.errors();
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }

  /** Closes its stdin (servers stop on that). */
  void closeInput() throws IOException {
    process.closeInput();
  }

  /** Its exit code, or -1 if it has not ended within the time (close then kills it). */
  int waitFor(long timeoutSeconds) throws InterruptedException {
    try {
      return process.awaitExit(Duration.ofSeconds(timeoutSeconds));
    } catch (AssertionError stillRunning) {
      return -1;
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
