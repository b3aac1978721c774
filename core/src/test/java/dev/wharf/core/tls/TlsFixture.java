package dev.wharf.core.tls;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TLS integration tests here share: the test CA's certificates, made once per class in a
 * temporary directory, and the event loops, servers and openssl processes a test starts, closed
 * after it, the last started first.
 *
 * <p>JUnit calls it on the test's thread; the tests here run one at a time.
 */
abstract class TlsFixture {
  @TempDir static Path dir;
  static TestCertificates certs;

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(dir);
  }

  /** A one-loop group that shuts down after the test. */
  final EventLoopGroup group(String name) {
    var group = new EventLoopGroup(1, name, true);
    started.push(() -> group.shutdownGracefully(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS));
    return group;
  }

  /** {@code resource} (a server, a process), closed after the test. */
  final <T extends AutoCloseable> T closedAfter(T resource) {
    started.push(resource);
    return resource;
  }

  @AfterEach
  final void closeWhatTheTestStarted() throws Exception {
    Exception failure = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
