package dev.wharf.cli.bench;

import dev.wharf.cli.ByteSize;
import dev.wharf.load.ErrorKind;
import dev.wharf.load.LoadPlan;
import dev.wharf.load.LoadReport;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.StringJoiner;

/** The report as people read it, on stdout: what ran, throughput, latency, status, errors. */
final class BenchText {
  private BenchText() {}

  static void print(LoadReport r, PrintWriter out) {
    LoadPlan p = r.plan();
    out.println("wharf bench " + p.target() + ": " + describe(p));
    out.printf(
        Locale.ROOT,
        "  requests   %d in %.2fs: %.1f/s, %s read, %s written%n",
        r.requests(),
        r.seconds(),
        r.throughput(),
        ByteSize.format(r.bytesRead()),
        ByteSize.format(r.bytesWritten()));
    out.println("  latency    " + percentiles(r.latency()));
    if (p.hold().isOn()) {
      out.printf(
          Locale.ROOT,
          "  held       %d of %d open at the end%n",
          r.connectionsOpenAtEnd(),
          p.connections());
      out.printf(
          Locale.ROOT,
          "  messages   %d received, %d stamped with sentMicros%n",
          r.messages(),
          r.messageLatency().count());
      if (r.messageLatency().count() > 0) {
        out.println("  delivery   " + percentiles(r.messageLatency()));
      }
    }
    if (p.target().scheme().isHttp()) {
      var status = new StringJoiner("  ");
      long[] classes = r.statusClasses();
      for (int k = 1; k <= 5; k++) {
        if (classes[k] > 0) {
          status.add(k + "xx " + classes[k]);
        }
      }
      out.println("  status     " + (status.length() == 0 ? "none" : status));
    }
    out.println("  errors     " + errors(r));
    out.printf(Locale.ROOT, "  connects   %d%n", r.connectionsOpened());
    out.println("  client     " + client(r));
  }

  /**
   * The load's own CPU while it measured, as a share of its threads' cores: near 100% the client,
   * not the server, set the pace.
   */
  static String client(LoadReport r) {
    double busy = r.seconds() > 0 ? r.clientCpuSeconds() / (r.seconds() * r.plan().threads()) : 0;
    return String.format(
        Locale.ROOT,
        "CPU %.2fs in %.2fs: %.0f%% of %d %s%s",
        r.clientCpuSeconds(),
        r.seconds(),
        100 * busy,
        r.plan().threads(),
        r.plan().threads() == 1 ? "thread" : "threads",
        busy >= 0.9 ? ": the client may be what limits the rate" : "");
  }

  private static String percentiles(LoadReport.Latency l) {
    return String.format(
        Locale.ROOT,
        "p50 %s  p90 %s  p99 %s  p99.9 %s  p99.99 %s  max %s  (mean %s)",
        micros(l.p50()),
        micros(l.p90()),
        micros(l.p99()),
        micros(l.p999()),
        micros(l.p9999()),
        micros(l.max()),
        micros(l.mean()));
  }

  static String describe(LoadPlan p) {
    String how =
        p.hold().isOn()
            ? "pings timed"
            : p.rate() > 0
                ? String.format(
                    Locale.ROOT, "at %.0f requests/s (latency from the schedule)", p.rate())
                : "closed loop";
    String length =
        p.duration() != null
            ? String.format(Locale.ROOT, "%.1fs", p.duration().toMillis() / 1000.0)
            : p.requests() + " requests";
    String what =
        p.hold().isOn()
            ? "held, a ping every " + p.hold().pingEvery().toMillis() / 1000.0 + "s"
            : p.target().scheme().isHttp()
                ? p.method()
                : p.messageSize()
                    + "-byte "
                    + (p.target().scheme().isWebSocket() ? "messages" : "echoes");
    return String.format(
        Locale.ROOT,
        "%s, %d %s on %d %s, %s, %s%s%s",
        length,
        p.connections(),
        p.connections() == 1 ? "connection" : "connections",
        p.threads(),
        p.threads() == 1 ? "thread" : "threads",
        what,
        how,
        p.http2()
            ? ", HTTP/2 with "
                + p.pipeline()
                + (p.pipeline() == 1 ? " stream" : " streams")
                + " each"
            : p.pipeline() > 1 ? ", pipeline " + p.pipeline() : "",
        p.warmup().isZero() ? "" : ", after " + p.warmup().toMillis() / 1000.0 + "s of warmup");
  }

  /** {@code none}, or each kind seen with its count and what its first one said. */
  static String errors(LoadReport r) {
    if (r.errorCount() == 0) {
      return "none";
    }
    var all = new StringJoiner(", ");
    for (ErrorKind kind : ErrorKind.values()) {
      long n = r.errors(kind);
      if (n > 0) {
        String first = r.firstErrors().get(kind);
        all.add(kind.label() + " " + n + (first == null ? "" : " (" + first + ")"));
      }
    }
    return all.toString();
  }

  /** {@code ": connect: Connection refused"}: the first error the run saw, or nothing. */
  static String firstError(LoadReport r) {
    for (ErrorKind kind : ErrorKind.values()) {
      String first = r.firstErrors().get(kind);
      if (first != null) {
        return ": " + kind.label() + ": " + first;
      }
    }
    return "";
  }

  /** A latency in microseconds, in the unit that reads best: 87us, 1.25ms, 2.10s. */
  static String micros(double us) {
    if (us < 1000) {
      return String.format(Locale.ROOT, "%.0fus", us);
    } else if (us < 1_000_000) {
      return String.format(Locale.ROOT, "%.2fms", us / 1e3);
    }
    return String.format(Locale.ROOT, "%.2fs", us / 1e6);
  }
}
