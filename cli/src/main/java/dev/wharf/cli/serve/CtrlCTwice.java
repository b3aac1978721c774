package dev.wharf.cli.serve;

import dev.wharf.cli.Signals;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C for a command whose stop takes a while ({@code serve} waits for requests in flight): the
 * first SIGINT exits as the JVM does by default, running the shutdown hooks (the graceful stop),
 * and a second one while they run ends the process at once, as python's http.server and most
 * servers do. Both exit with 130, as shells expect after SIGINT. SIGTERM keeps the JVM's handling.
 *
 * <p>A shutdown hook cannot see the second SIGINT (the JVM ignores signals once it is exiting);
 * only a signal handler can ({@link Signals}); where none can be installed the first Ctrl-C still
 * stops gracefully.
 */
final class CtrlCTwice {
  /** The exit status after SIGINT: 128 + its number 2. */
  static final int EXIT = 130;

  private CtrlCTwice() {}

  /**
   * Installs the handler; false when it could not be (no {@code sun.misc.Signal}), and then Ctrl-C
   * only stops gracefully.
   */
  static boolean install() {
    var count = new AtomicInteger();
    return Signals.on("INT", () -> interrupted(count.incrementAndGet()));
  }

  /** On a thread of its own for each signal, so a second one comes while the first exits. */
  private static void interrupted(int count) {
    if (count == 1) {
      System.exit(EXIT); // Runs the shutdown hooks: the graceful stop.
    } else {
      Runtime.getRuntime().halt(EXIT); // The user will not wait: no hooks.
    }
  }
}
