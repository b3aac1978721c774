package dev.wharf.cli.bench;

import dev.wharf.load.LoadReport;
import java.util.List;
import java.util.Locale;

/**
 * The report as one self-contained HTML page: the figures, the latency by percentile (the tail
 * stretched on a log scale, as HdrHistogram's plots do) and the throughput second by second, drawn
 * as inline SVG. Nothing is fetched: the page opens offline and can be mailed as it is.
 */
final class BenchHtml {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 300;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 40;

  /** The x axis of the percentile plot ends at 99.999% (1 in 100,000 above). */
  private static final double MOST_NINES = 1e5;

  private BenchHtml() {}

  static String of(LoadReport r) {
    var h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.append("<title>wharf bench ").append(escape(r.plan().target().toString())).append("</title>");
    h.append(
        "<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:800px;color:#222}"
            + "h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}"
            + "table{border-collapse:collapse}td,th{padding:2px 12px 2px 0;text-align:left}"
            + "td.n{text-align:right;font-variant-numeric:tabular-nums}"
            + "svg{background:#fafafa;border:1px solid #ddd}"
            + ".grid{stroke:#e4e4e4}.axis{font-size:11px;fill:#555}"
            + ".line{fill:none;stroke:#1f6feb;stroke-width:2}.err{fill:none;stroke:#d1242f;"
            + "stroke-width:1.5}</style></head><body>\n");
    h.append("<h1>wharf bench ").append(escape(r.plan().target().toString())).append("</h1>\n");
    h.append("<p>").append(escape(BenchText.describe(r.plan()))).append("</p>\n");
    h.append("<table>");
    row(h, "requests", String.valueOf(r.requests()));
    row(h, "seconds", String.format(Locale.ROOT, "%.2f", r.seconds()));
    row(h, "throughput", String.format(Locale.ROOT, "%.1f/s", r.throughput()));
    var l = r.latency();
    row(h, "latency p50", BenchText.micros(l.p50()));
    row(h, "latency p90", BenchText.micros(l.p90()));
    row(h, "latency p99", BenchText.micros(l.p99()));
    row(h, "latency p99.9", BenchText.micros(l.p999()));
    row(h, "latency p99.99", BenchText.micros(l.p9999()));
    row(h, "latency max", BenchText.micros(l.max()));
    row(h, "bytes read", String.valueOf(r.bytesRead()));
    row(h, "bytes written", String.valueOf(r.bytesWritten()));
    row(h, "errors", BenchText.errors(r));
    h.append("</table>\n");
    h.append("<h2>Latency by percentile</h2>\n").append(percentilePlot(l.distribution()));
    h.append("<h2>Throughput over time</h2>\n").append(timelinePlot(r.timeline()));
    h.append("\n</body></html>\n");
    return h.toString();
  }

  private static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th>")
        .append(escape(name))
        .append("</th><td class=\"n\">")
        .append(escape(value))
        .append("</td></tr>");
  }

  /** Latency (y, linear) against 1/(1 - percentile) (x, log): the tail gets the room. */
  static String percentilePlot(List<LoadReport.Point> points) {
    if (points.isEmpty()) {
      return "<p>No latency was recorded.</p>";
    }
    double maxUs = points.stream().mapToDouble(LoadReport.Point::micros).max().orElse(1);
    double yTop = niceCeiling(Math.max(maxUs, 1));
    var svg = svgStart("latency by percentile");
    for (int decade = 0; decade <= 5; decade++) {
      double x = LEFT + (WIDTH - LEFT - RIGHT) * decade / 5.0;
      String label =
          switch (decade) {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            case 3 -> "99.9%";
            case 4 -> "99.99%";
            default -> "99.999%";
          };
      gridX(svg, x, label);
    }
    gridY(svg, yTop, true);
    var path = new StringBuilder();
    for (LoadReport.Point p : points) {
      double tail = Math.min(MOST_NINES, 1 / Math.max(1 / MOST_NINES, 1 - p.percentile() / 100));
      double x = LEFT + (WIDTH - LEFT - RIGHT) * Math.log10(tail) / 5;
      double y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - p.micros() / yTop);
      path.append(path.isEmpty() ? "M" : " L").append(fmt(x)).append(',').append(fmt(y));
    }
    svg.append("<path class=\"line\" d=\"").append(path).append("\"/>");
    return svg.append("</svg>").toString();
  }

  /** Requests per second (and errors per second, if any) for each sample of the run. */
  static String timelinePlot(List<LoadReport.Sample> samples) {
    if (samples.isEmpty()) {
      return "<p>The run was too short for a timeline.</p>";
    }
    LoadReport.Sample last = samples.getLast();
    double xEnd = Math.max(1, last.second() + last.seconds());
    double yTop =
        niceCeiling(
            Math.max(
                1,
                samples.stream()
                    .mapToDouble(s -> Math.max(s.perSecond(), errorsPerSecond(s)))
                    .max()
                    .orElse(1)));
    var svg = svgStart("throughput over time");
    int steps = (int) Math.min(10, Math.ceil(xEnd));
    for (int i = 0; i <= steps; i++) {
      double t = xEnd * i / steps;
      gridX(svg, LEFT + (WIDTH - LEFT - RIGHT) * t / xEnd, String.format(Locale.ROOT, "%.0fs", t));
    }
    gridY(svg, yTop, false);
    var requests = new StringBuilder();
    var errors = new StringBuilder();
    boolean anyErrors = false;
    for (LoadReport.Sample s : samples) {
      double mid = s.second() + s.seconds() / 2;
      double x = LEFT + (WIDTH - LEFT - RIGHT) * mid / xEnd;
      double y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - s.perSecond() / yTop);
      double ye = TOP + (HEIGHT - TOP - BOTTOM) * (1 - errorsPerSecond(s) / yTop);
      requests.append(requests.isEmpty() ? "M" : " L").append(fmt(x)).append(',').append(fmt(y));
      errors.append(errors.isEmpty() ? "M" : " L").append(fmt(x)).append(',').append(fmt(ye));
      anyErrors |= s.errors() > 0;
    }
    svg.append("<path class=\"line\" d=\"").append(requests).append("\"/>");
    if (anyErrors) {
      svg.append("<path class=\"err\" d=\"").append(errors).append("\"/>");
      svg.append("<text class=\"axis\" x=\"")
          .append(WIDTH - RIGHT - 140)
          .append("\" y=\"")
          .append(TOP + 12)
          .append("\" fill=\"#d1242f\">red: errors/s</text>");
    }
    return svg.append("</svg>").toString();
  }

  private static double errorsPerSecond(LoadReport.Sample s) {
    return s.seconds() > 0 ? s.errors() / s.seconds() : 0;
  }

  private static StringBuilder svgStart(String title) {
    return new StringBuilder()
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"")
        .append(title)
        .append("\">");
  }

  private static void gridX(StringBuilder svg, double x, String label) {
    svg.append("<line class=\"grid\" x1=\"")
        .append(fmt(x))
        .append("\" x2=\"")
        .append(fmt(x))
        .append("\" y1=\"")
        .append(TOP)
        .append("\" y2=\"")
        .append(HEIGHT - BOTTOM)
        .append("\"/><text class=\"axis\" text-anchor=\"middle\" x=\"")
        .append(fmt(x))
        .append("\" y=\"")
        .append(HEIGHT - BOTTOM + 16)
        .append("\">")
        .append(escape(label))
        .append("</text>");
  }

  private static void gridY(StringBuilder svg, double yTop, boolean latency) {
    for (int i = 0; i <= 5; i++) {
      double value = yTop * i / 5;
      double y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - i / 5.0);
      String label =
          latency ? BenchText.micros(value) : String.format(Locale.ROOT, "%.0f/s", value);
      svg.append("<line class=\"grid\" x1=\"")
          .append(LEFT)
          .append("\" x2=\"")
          .append(WIDTH - RIGHT)
          .append("\" y1=\"")
          .append(fmt(y))
          .append("\" y2=\"")
          .append(fmt(y))
          .append("\"/><text class=\"axis\" text-anchor=\"end\" x=\"")
          .append(LEFT - 6)
          .append("\" y=\"")
          .append(fmt(y + 4))
          .append("\">")
          .append(escape(label))
          .append("</text>");
    }
  }

  /** 1, 2 or 5 times a power of ten, at or above {@code v}: round axis labels. */
  static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
