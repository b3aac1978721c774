package dev.wharf.cli.bench;

import dev.wharf.load.LoadPlan;
import dev.wharf.load.LoadTest;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The live line on a terminal's stderr ({@code bench: 3.2s/10s 41234 requests 12890/s 0 errors}),
 * redrawn at each tick of the run on the thread that runs it; {@link #close} erases it.
 */
final class ProgressLine implements LoadTest.Progress, AutoCloseable {
  private final PrintWriter err;
  private final LoadPlan plan;
  private long lastRequests;
  private double lastSeconds;

  ProgressLine(PrintWriter err, LoadPlan plan) {
    this.err = err;
    this.plan = plan;
  }

  @Override
  public void update(LoadTest.Live live) {
    String line;
    if (live.warmingUp()) {
      line = String.format(Locale.ROOT, "bench: warming up, %.1fs left", -live.seconds());
    } else {
      double dt = live.seconds() - lastSeconds;
      double perSecond = dt > 0 ? (live.requests() - lastRequests) / dt : 0;
      String of =
          plan.duration() != null
              ? String.format(
                  Locale.ROOT, "%.1fs/%.0fs", live.seconds(), plan.duration().toMillis() / 1000.0)
              : String.format(Locale.ROOT, "%.1fs", live.seconds());
      String done =
          plan.requests() > 0
              ? live.requests() + "/" + plan.requests() + " requests"
              : live.requests() + " requests";
      line =
          String.format(
              Locale.ROOT,
              "bench: %s  %s  %.0f/s  %d errors  %d connections opened",
              of,
              done,
              perSecond,
              live.errors(),
              live.opened());
      lastRequests = live.requests();
      lastSeconds = live.seconds();
    }
    err.print("\r" + line + "\u001b[K");
    err.flush();
  }

  @Override
  public void close() {
    err.print("\r\u001b[K");
    err.flush();
  }
}
