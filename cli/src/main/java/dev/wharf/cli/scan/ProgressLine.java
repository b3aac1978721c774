package dev.wharf.cli.scan;

import dev.wharf.scan.TcpScanner;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The progress line on a terminal's stderr ({@code scanning: 4096/65535 ports (6%)}), redrawn five
 * times a second by a daemon thread from counts the event loops update. {@link #finished} may be
 * called from any thread; {@link #close} erases the line.
 */
final class ProgressLine implements TcpScanner.Progress, AutoCloseable {
  private final PrintWriter err;
  private final AtomicInteger finished = new AtomicInteger();
  private volatile int total;
  private final Thread painter;
  private boolean closed; // Guarded by this.

  ProgressLine(PrintWriter err) {
    this.err = err;
    this.painter = Thread.ofPlatform().daemon().name("wharf-progress").start(this::paint);
  }

  @Override
  public void finished(int count, int of) {
    total = of;
    finished.accumulateAndGet(count, Math::max);
  }

  private void paint() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(200);
        int of = total;
        if (of > 0) {
          synchronized (this) {
            if (closed) {
              return;
            }
            int done = finished.get();
            err.print(
                "\rscanning: " + done + "/" + of + " ports (" + (100L * done / of) + "%)\u001b[K");
            err.flush();
          }
        }
      }
    } catch (InterruptedException stopped) {
      // Closed: the line is erased there.
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    painter.interrupt();
    err.print("\r\u001b[K");
    err.flush();
  }
}
