package dev.wharf.cli.packets;

import dev.wharf.cli.Signals;
import dev.wharf.packets.Capture;
import dev.wharf.packets.PacketSocketException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * When a capture asked to stop (Ctrl-C, SIGTERM) stops reading. The kernel hands a block of the
 * ring over when it is full or when its timeout ends (1 s for {@code -w}); packets it wrote into
 * the block it still holds would be lost with a process that ended at once. So reading goes on
 * until the kernel's count says every packet it wrote is read ({@link Capture#unread}), or two
 * block timeouts after the signal at the latest: the kernel's timer retires a block on its second
 * tick after the block opened, if the block opened just after a tick.
 *
 * <p>A second signal while it stops (the reading thread blocked writing to a full pipe or disk, or
 * still draining) ends the process at once, as a second Ctrl-C ends tcpdump: the closing counts
 * printed (once, whoever prints them first), then exit status 128 + the signal's number, the
 * shell's for a process a signal ended, since lines or packets not yet written are lost.
 *
 * <p>{@link #request} from any thread (a signal's own); the rest from the thread that reads, {@link
 * #summarize} from either.
 */
final class CaptureStop {
  private static final Duration MARGIN = Duration.ofMillis(50);
  private static final int SIGINT = 2;
  private static final int SIGTERM = 15;

  /** How long a forced exit waits for counts the reading thread is printing already. */
  private static final Duration SUMMARY_WAIT = Duration.ofSeconds(1);

  private final long graceNanos;
  private volatile Capture capture; // null until watch()
  private volatile LongConsumer summary; // prints the closing counts; null until watch()
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicBoolean summarized = new AtomicBoolean();
  private final CountDownLatch summaryPrinted = new CountDownLatch(1);
  private volatile long deadline; // System.nanoTime() by which to stop; set before requested
  private volatile boolean requested;
  private volatile long captured; // as the reading thread last published it, for a forced exit
  private boolean finished; // guarded by this

  /** A stop for a capture whose blocks the kernel hands over {@code blockTimeout} at the latest. */
  CaptureStop(Duration blockTimeout) {
    this.graceNanos = blockTimeout.multipliedBy(2).plus(MARGIN).toNanos();
  }

  /**
   * A stop that SIGINT and SIGTERM request, so that the reading thread ends the capture and prints
   * its summary as the command's last words, and that a second one forces; where the JVM does not
   * let them be handled, a shutdown hook requests it and waits (up to {@code longest}) for {@link
   * #finished}. Made before the capture opens ({@link #watch} then), so that the handlers' set-up
   * (reflection, a proxy class) is not done while the kernel fills a ring nobody reads yet.
   */
  static CaptureStop onSignals(Duration blockTimeout, Duration longest) {
    var stop = new CaptureStop(blockTimeout);
    boolean handled =
        Signals.on("INT", () -> stop.request(SIGINT))
            & Signals.on("TERM", () -> stop.request(SIGTERM));
    if (!handled) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    stop.request(0);
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

  /**
   * Asks the reading thread to stop: the first request sets the deadline; a second signal ({@code
   * signal} above 0) ends the process now. Any thread.
   */
  void request(int signal) {
    if (requests.getAndIncrement() == 0) {
      deadline = System.nanoTime() + graceNanos;
      requested = true;
    } else if (signal > 0) {
      summarize(captured);
      Runtime.getRuntime().halt(128 + signal);
    }
  }

  /**
   * The capture this stop ends, and what prints its closing counts for a number of packets. A
   * forced exit before this prints nothing: nothing was captured.
   */
  void watch(Capture capture, LongConsumer summary) {
    this.summary = summary;
    this.capture = capture;
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

  /**
   * How many packets the capture took so far, for the counts a forced exit prints: the reading
   * thread says it once a block, not once a packet.
   */
  void counted(long packets) {
    captured = packets;
  }

  /**
   * Prints the closing counts unless they were printed already; where another thread is printing
   * them, waits a little for it to end, so that a forced exit does not cut them short.
   */
  void summarize(long packets) {
    LongConsumer counts = summary;
    if (counts == null) {
      return;
    }
    if (summarized.compareAndSet(false, true)) {
      try {
        counts.accept(packets);
      } finally {
        summaryPrinted.countDown();
      }
    } else {
      try {
        summaryPrinted.await(SUMMARY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Says that the summary is out, for a shutdown hook that waits for it. */
  synchronized void finished() {
    finished = true;
    notifyAll();
  }
}
