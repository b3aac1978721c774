package dev.wharf.cli.bench;

import dev.wharf.cli.Json;
import dev.wharf.load.ErrorKind;
import dev.wharf.load.LoadPlan;
import dev.wharf.load.LoadReport;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The report as one JSON object, for scripts. Every key is always there (zeros included), so its
 * shape does not depend on what happened; latencies are in microseconds, times in seconds.
 */
final class BenchJson {
  private BenchJson() {}

  static String of(LoadReport r) {
    LoadPlan p = r.plan();
    var o = new StringBuilder("{");
    o.append("\"url\":").append(Json.quote(p.target().toString()));
    o.append(",\"scheme\":").append(Json.quote(p.target().scheme().text()));
    o.append(",\"connections\":").append(p.connections());
    o.append(",\"threads\":").append(p.threads());
    o.append(",\"protocol\":")
        .append(
            Json.quote(
                p.http2()
                    ? "h2"
                    : p.target().scheme().isHttp() ? "http/1.1" : p.target().scheme().text()));
    // With HTTP/2, the streams in flight on each connection.
    o.append(",\"pipeline\":").append(p.pipeline());
    o.append(",\"mode\":")
        .append(Json.quote(p.hold().isOn() ? "hold" : p.rate() > 0 ? "rate" : "closed"));
    o.append(",\"rate\":").append(number(p.rate()));
    o.append(",\"warmup_seconds\":").append(number(p.warmup().toNanos() / 1e9));
    o.append(",\"seconds\":").append(number(r.seconds()));
    o.append(",\"requests\":").append(r.requests());
    o.append(",\"throughput\":").append(number(r.throughput()));
    o.append(",\"bytes_read\":").append(r.bytesRead());
    o.append(",\"bytes_written\":").append(r.bytesWritten());
    o.append(",\"connections_opened\":").append(r.connectionsOpened());
    o.append(",\"connections_open_at_end\":").append(r.connectionsOpenAtEnd());
    o.append(",\"client_cpu_seconds\":").append(number(r.clientCpuSeconds()));
    var l = r.latency();
    o.append(",\"latency_us\":").append(latency(l));
    o.append(",\"messages\":").append(r.messages());
    o.append(",\"message_latency_count\":").append(r.messageLatency().count());
    o.append(",\"message_latency_us\":").append(latency(r.messageLatency()));
    long[] classes = r.statusClasses();
    var status = new StringJoiner(",", "{", "}");
    for (int k = 1; k <= 5; k++) {
      status.add("\"" + k + "xx\":" + classes[k]);
    }
    o.append(",\"status\":").append(status);
    var errors = new StringJoiner(",", "{", "}");
    for (ErrorKind kind : ErrorKind.values()) {
      errors.add(Json.quote(kind.label()) + ":" + r.errors(kind));
    }
    o.append(",\"errors\":").append(errors);
    var timeline = new StringJoiner(",", "[", "]");
    for (LoadReport.Sample s : r.timeline()) {
      timeline.add(
          "{\"second\":"
              + number(s.second())
              + ",\"seconds\":"
              + number(s.seconds())
              + ",\"requests\":"
              + s.requests()
              + ",\"errors\":"
              + s.errors()
              + "}");
    }
    o.append(",\"timeline\":").append(timeline);
    var distribution = new StringJoiner(",", "[", "]");
    for (LoadReport.Point point : l.distribution()) {
      distribution.add("[" + number(point.percentile()) + "," + number(point.micros()) + "]");
    }
    o.append(",\"percentiles\":").append(distribution);
    return o.append('}').toString();
  }

  private static String latency(LoadReport.Latency l) {
    return "{\"mean\":"
        + number(l.mean())
        + ",\"p50\":"
        + number(l.p50())
        + ",\"p90\":"
        + number(l.p90())
        + ",\"p99\":"
        + number(l.p99())
        + ",\"p99_9\":"
        + number(l.p999())
        + ",\"p99_99\":"
        + number(l.p9999())
        + ",\"max\":"
        + number(l.max())
        + "}";
  }

  /** A JSON number: finite, at most three decimals, no exponent. */
  static String number(double d) {
    if (!Double.isFinite(d)) {
      return "0";
    }
    String s = String.format(Locale.ROOT, "%.3f", d);
    s = s.contains(".") ? s.replaceAll("0+$", "") : s;
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
