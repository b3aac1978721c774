package dev.wharf.cli.ws;

import java.time.Duration;

/**
 * What {@code wharf ws} does on Ctrl-C (SIGINT) or SIGTERM: a shutdown hook that closes the open
 * WebSocket with 1001 (going away), as a browser does when its page goes away, and waits a little
 * for the peer's Close, so that the peer sees a closing handshake rather than a dropped connection.
 *
 * <p>A shutdown hook rather than a signal handler: the JVM then exits as it does on a signal for
 * every other command ({@code connect}, {@code listen}), with 130 after SIGINT and 143 after
 * SIGTERM, as shells expect of a process a signal ended. The wait is bounded because the user asked
 * to stop: a peer that does not answer in time only gets the socket closed.
 */
final class WsGoingAway {
  /** How long to wait for the peer's Close after sending ours. */
  static final Duration WAIT = Duration.ofSeconds(2);

  private final Thread hook;

  private WsGoingAway(Thread hook) {
    this.hook = hook;
  }

  /** Installs the hook for this pipe until {@link #close}. */
  static WsGoingAway install(MessagePipe pipe) {
    Thread hook =
        Thread.ofPlatform()
            .name("wharf-ws-going-away")
            .unstarted(
                () -> {
                  try {
                    pipe.goAway(WAIT);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    Runtime.getRuntime().addShutdownHook(hook);
    return new WsGoingAway(hook);
  }

  /** The command is over: an exit from now on has nothing to close. */
  void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down, and the hook is running or has run.
    }
  }
}
