package dev.wharf.cli.packets;

import dev.wharf.cli.Signals;
import dev.wharf.packets.Capture;
import dev.wharf.packets.PacketSocketException;
import java.time.Duration;

/**
 * When a capture asked to stop (Ctrl-C, SIGTERM) stops reading. The kernel hands a block of the
 * ring over when it is full or when its timeout ends (1 s for {@code -w}); packets it wrote into
 * the block it still holds would be lost with a process that ended at once. So reading goes on
 * until the kernel's count says every packet it wrote is read ({@link Capture#unread}), or two
 * block timeouts after the signal at the latest: the kernel's timer retires a block on its second
 * tick after the block opened, if the block opened just after a tick.
 *
 * <p>{@link #request} from any thread (a signal's own); the rest from the thread that reads.
 */
final class CaptureStop {
  private static final Duration MARGIN = Duration.ofMillis(50);

  private final Capture capture;
  private final long graceNanos;
  private volatile long deadline; // System.nanoTime() by which to stop; set before requested
  private volatile boolean requested;
  private boolean finished; // guarded by this

  CaptureStop(Capture capture) {
    this.capture = capture;
    this.graceNanos = capture.blockTimeout().multipliedBy(2).plus(MARGIN).toNanos();
  }

  /**
   * A stop that SIGINT and SIGTERM request, so that the reading thread ends the capture and prints
   * its summary as the command's last words; where the JVM does not let them be handled, a shutdown
   * hook requests it and waits (up to {@code longest}) for {@link #finished}.
   */
  static CaptureStop onSignals(Capture capture, Duration longest) {
    var stop = new CaptureStop(capture);
    boolean handled = Signals.on("INT", stop::request) & Signals.on("TERM", stop::request);
    if (!handled) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    stop.request();
                    synchronized (stop) {
                      long end = System.nanoTime() + longest.toNanos() + stop.graceNanos;
                      while (!stop.finished && System.nanoTime() < end) {
                        try {
                          stop.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    }
                  },
                  "wharf-trace-stop"));
    }
    return stop;
  }

  /** Asks the reading thread to stop; the first request sets the deadline. Any thread. */
  void request() {
    if (!requested) {
      deadline = System.nanoTime() + graceNanos;
      requested = true;
    }
  }

  boolean isRequested() {
    return requested;
  }

  /** True once reading should end: asked to, and nothing left unread or the time is up. */
  boolean isOver() throws PacketSocketException {
    return requested && (System.nanoTime() - deadline >= 0 || capture.unread() == 0);
  }

  /** Until when the next wait for a block may last: {@code wait} from now, or the stop's time. */
  long waitUntil(Duration wait) {
    long until = System.nanoTime() + wait.toNanos();
    return requested && deadline - until < 0 ? deadline : until;
  }

  /** Says that the summary is out, for a shutdown hook that waits for it. */
  synchronized void finished() {
    finished = true;
    notifyAll();
  }
}
