package dev.wharf.testkit;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis server (Debian's {@code redis-server}) of the test's own, on 127.0.0.1 at a port it
 * picked, in the foreground, its files in the test's directory: not the system's service, which
 * need not exist. Without persistence a {@link #kill} and {@link #restart} lose every key, as a
 * Redis restarted without persistence does; with it ({@code appendonly}, every write synced) they
 * keep them.
 *
 * <p>One per test; the test's thread.
 */
public final class RedisServer implements AutoCloseable, RestartableBroker {
  private final BrokerProcess process;

  private RedisServer(BrokerProcess process) {
    this.process = process;
  }

  /** Starts one keeping nothing on disk. */
  public static RedisServer start(Path dir) throws IOException {
    return start(dir, false);
  }

  /** Starts one; {@code persistent}: an append-only file synced on every write. */
  public static RedisServer start(Path dir, boolean persistent) throws IOException {
    return new RedisServer(
        BrokerProcess.start(
            "redis-server",
            port -> {
              var command =
                  new ArrayList<>(
                      List.of(
                          "redis-server",
                          "--port",
                          Integer.toString(port),
                          "--bind",
                          "127.0.0.1",
                          "--dir",
                          dir.toString(),
                          "--save",
                          "",
                          "--daemonize",
                          "no",
                          "--protected-mode",
                          "yes"));
              if (persistent) {
                command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
              } else {
                command.addAll(List.of("--appendonly", "no"));
              }
              return command;
            },
            "Ready to accept connections"));
  }

  public int port() {
    return process.port();
  }

  /** {@code redis://127.0.0.1:PORT}. */
  @Override
  public URI uri() {
    return URI.create("redis://127.0.0.1:" + port());
  }

  /** Kills it with SIGKILL. */
  @Override
  public void kill() throws InterruptedException {
    process.kill();
  }

  /** Starts it again on the same port, after {@link #kill}. */
  @Override
  public void restart() throws IOException {
    process.restart();
  }

  public String log() {
    return process.log();
  }

  @Override
  public void close() {
    process.close();
  }
}
