package dev.wharf.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A set-up of logging done once: begun on a thread of its own when the command starts, so that it
 * runs while picocli builds the command's model on the main thread (issue 16), and awaited by a
 * server before it binds, so that no line it logs is lost. Any thread may call either method.
 */
final class LoggingSetUp {
  private final FutureTask<Void> task;
  private final Runnable afterwards;

  /**
   * @param setUp what a server awaits before it binds
   * @param afterwards run on the same thread once the set-up is done, not awaited: what a server
   *     needs soon after it binds, and had better not find cold
   */
  LoggingSetUp(Runnable setUp, Runnable afterwards) {
    this.task = new FutureTask<>(setUp, null);
    this.afterwards = afterwards;
  }

  LoggingSetUp(Runnable setUp) {
    this(setUp, () -> {});
  }

  /** Begins the set-up on a daemon thread: a command that ends before awaiting it does not wait. */
  void begin() {
    begin(true);
  }

  /** As {@link #begin()}, and what follows the set-up only {@code withAfterwards}. */
  void begin(boolean withAfterwards) {
    Thread.ofPlatform()
        .name("wharf-logging")
        .daemon()
        .start(
            () -> {
              task.run();
              if (!withAfterwards) {
                return;
              }
              try {
                afterwards.run();
              } catch (RuntimeException | Error e) {
                // Only a head start: whoever needs it later does it, and says what failed.
              }
            });
  }

  /**
   * Returns once the set-up is done: does it on this thread unless it was begun, else waits for it.
   * A set-up that failed throws here, on the thread that needs it.
   */
  void await() {
    task.run(); // returns at once when done or under way on the other thread
    boolean interrupted = false;
    try {
      while (true) {
        try {
          task.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // a server's start is not to be cut short half set up
        } catch (ExecutionException e) {
          switch (e.getCause()) {
            case RuntimeException unchecked -> throw unchecked;
            case Error error -> throw error;
            default -> throw new IllegalStateException(e.getCause());
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
