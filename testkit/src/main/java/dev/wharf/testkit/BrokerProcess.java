package dev.wharf.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A message broker's server process (redis-server, nats-server) run for a test on a loopback port
 * it picked, that the test may kill (SIGKILL, as a crash) and start again on the same port. The
 * shared part of {@link RedisServer} and {@link NatsServer}.
 *
 * <p>One per test; the test's thread.
 */
final class BrokerProcess implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(20);

  private final String name;
  private final IntFunction<List<String>> command;
  private final String ready;
  private final int port;
  private ExternalProcess process;

  private BrokerProcess(String name, IntFunction<List<String>> command, String ready, int port) {
    this.name = name;
    this.command = command;
    this.ready = ready;
    this.port = port;
  }

  /**
   * Starts {@code command(port)} on a free port and waits for {@code ready} in its output; tries a
   * few ports, should another process take the one picked between its release and the bind.
   */
  static BrokerProcess start(String name, IntFunction<List<String>> command, String ready)
      throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      var broker = new BrokerProcess(name, command, ready, freePort());
      try {
        broker.launch();
        return broker;
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void launch() throws IOException {
    ExternalProcess started = ExternalProcess.command(command.apply(port)).mergeErrors().start();
    try {
      started.awaitOutputContaining(ready, START);
    } catch (AssertionError e) {
      started.close();
      throw new IOException(name + " did not start on port " + port + ": " + started.output(), e);
    }
    process = started;
  }

  int port() {
    return port;
  }

  /** Kills it with SIGKILL, as a crash: no goodbye to its clients, nothing saved on the way out. */
  void kill() throws InterruptedException {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
    process.awaitExit(Duration.ofSeconds(10));
    process.close();
  }

  /** Starts it again on the same port, after {@link #kill}; returns once it is ready. */
  void restart() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        launch();
        return;
      } catch (IOException e) {
        last = e; // the port may still be held for a moment
        try {
          Thread.sleep(250);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", interrupted);
        }
      }
    }
    throw last;
  }

  String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
  }
}
