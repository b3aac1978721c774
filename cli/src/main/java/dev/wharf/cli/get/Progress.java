package dev.wharf.cli.get;

import dev.wharf.cli.ByteSize;
import java.io.PrintWriter;

/** A one-line progress bar on the terminal: bytes, share, rate, time left. */
final class Progress {
  private final PrintWriter err;
  long total = -1;
  private long lastDraw;

  Progress(PrintWriter err) {
    this.err = err;
  }

  void update(long received, long started) {
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    draw(received, started, now);
  }

  void finish(long received, long started) {
    draw(received, started, System.nanoTime());
    err.println();
    err.flush();
  }

  private void draw(long received, long started, long now) {
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    double rate = received / seconds;
    var line = new StringBuilder("\r").append(ByteSize.format(received));
    if (total > 0) {
      line.append(" / ")
          .append(ByteSize.format(total))
          .append(String.format(java.util.Locale.ROOT, "  %3d%%", received * 100 / total));
      if (rate > 0) {
        line.append(
            String.format(java.util.Locale.ROOT, "  ETA %ds", (long) ((total - received) / rate)));
      }
    }
    line.append("  ").append(ByteSize.format((long) rate)).append("/s   ");
    err.print(line);
    err.flush();
  }
}
