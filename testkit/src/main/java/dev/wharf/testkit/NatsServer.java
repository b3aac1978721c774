package dev.wharf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A NATS server with JetStream (Debian's {@code nats-server}) of the test's own, on 127.0.0.1 at a
 * port it picked, its JetStream storage in the test's directory. {@link #kill} and {@link #restart}
 * keep the storage, as a server restarted on its disk does; {@link #restartWithoutStorage} loses
 * it, as one that lost its disk does.
 *
 * <p>One per test; the test's thread.
 */
public final class NatsServer implements AutoCloseable, RestartableBroker {
  private final BrokerProcess process;
  private final Path storage;

  private NatsServer(BrokerProcess process, Path storage) {
    this.process = process;
    this.storage = storage;
  }

  public static NatsServer start(Path dir) throws IOException {
    Path storage = Files.createDirectories(dir.resolve("jetstream"));
    return new NatsServer(
        BrokerProcess.start(
            "nats-server",
            port ->
                List.of(
                    "nats-server",
                    "-js",
                    "-a",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(port),
                    "-sd",
                    storage.toString()),
            "Server is ready"),
        storage);
  }

  public int port() {
    return process.port();
  }

  /** {@code nats://127.0.0.1:PORT}. */
  @Override
  public URI uri() {
    return URI.create("nats://127.0.0.1:" + port());
  }

  /** Kills it with SIGKILL. */
  @Override
  public void kill() throws InterruptedException {
    process.kill();
  }

  /** Starts it again on the same port and storage, after {@link #kill}. */
  @Override
  public void restart() throws IOException {
    process.restart();
  }

  /** Starts it again on the same port with its storage wiped, after {@link #kill}. */
  public void restartWithoutStorage() throws IOException {
    try (Stream<Path> files = Files.walk(storage)) {
      files
          .sorted(Comparator.reverseOrder())
          .filter(path -> !path.equals(storage))
          .forEach(
              path -> {
                try {
                  Files.delete(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
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
