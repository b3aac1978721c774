package dev.wharf.testkit;

import java.io.IOException;
import java.net.URI;

/**
 * A broker server of a test's own ({@link RedisServer}, {@link NatsServer}) that the test may kill
 * and start again on the same port, keeping what it persisted: broker outages, one test for both.
 */
public interface RestartableBroker {
  /** The URI a Wharf node is given with {@code --broker}. */
  URI uri();

  /** Kills the server at once (SIGKILL), as a crash would. */
  void kill() throws InterruptedException;

  /** Starts it again on the same port, from what it persisted. */
  void restart() throws IOException;
}
