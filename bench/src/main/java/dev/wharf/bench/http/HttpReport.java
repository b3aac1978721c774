package dev.wharf.bench.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects the windows' figures and the log, and renders the markdown result file. */
final class HttpReport {
  /** Wharf against each peer, in this order, when both were measured. */
  private static final List<String> PEERS = List.of("netty-nio", "netty-epoll", "nginx", "python");

  /** scenario -> impl -> metric -> one value per window. */
  private final Map<String, Map<String, Map<String, List<Double>>>> results = new LinkedHashMap<>();

  private final List<String> log = new ArrayList<>();

  /** Prints a progress line and keeps it for the report's log. */
  void note(String line) {
    System.out.println(line);
    System.out.flush();
    log.add(line);
  }

  void record(String scenario, String impl, Map<String, Double> metrics) {
    var byMetric =
        results
            .computeIfAbsent(scenario, k -> new LinkedHashMap<>())
            .computeIfAbsent(impl, k -> new LinkedHashMap<>());
    metrics.forEach((k, v) -> byMetric.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }

  private static double median(List<Double> values) {
    if (values == null || values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private double value(String scenario, String impl, String metric) {
    var byImpl = results.get(scenario);
    if (byImpl == null || byImpl.get(impl) == null) {
      return Double.NaN;
    }
    return median(byImpl.get(impl).get(metric));
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0
        ? "-"
        : String.format(Locale.ROOT, "%.2f", a / b);
  }

  private static List<String> metrics(String scenario) {
    return scenario.startsWith("plaintext")
        ? List.of(
            "reqPerSec",
            "perServerCpuSec",
            "p50us",
            "p99us",
            "serverCpuSec",
            "serverCpu",
            "allocPerReq",
            "genCpu",
            "otherCpu",
            "errors")
        : List.of(
            "reqPerSec",
            "mbPerSec",
            "perServerCpuSec",
            "p50us",
            "p99us",
            "serverCpuSec",
            "serverCpu",
            "allocPerReq",
            "genCpu",
            "otherCpu",
            "errors");
  }

  String render(String started, String setup, List<String> scenarios, List<String> implOrder) {
    var impls = new ArrayList<String>();
    for (String impl : implOrder) {
      if (results.values().stream().anyMatch(m -> m.containsKey(impl))) {
        impls.add(impl);
      }
    }
    var peers = PEERS.stream().filter(impls::contains).toList();
    var sb = new StringBuilder();
    sb.append("# Wharf HTTP benchmark, ").append(started).append("\n\n").append(setup).append('\n');
    sb.append("| scenario | metric |");
    impls.forEach(i -> sb.append(' ').append(i).append(" |"));
    peers.forEach(p -> sb.append(" wharf/").append(p).append(" |"));
    sb.append("\n|---|---|").append("---|".repeat(impls.size() + peers.size())).append('\n');
    for (String scenario : scenarios) {
      for (String metric : metrics(scenario)) {
        sb.append("| ").append(scenario).append(" | ").append(metric).append(" |");
        for (String impl : impls) {
          sb.append(' ').append(fmt(value(scenario, impl, metric))).append(" |");
        }
        double w = value(scenario, "wharf", metric);
        for (String peer : peers) {
          sb.append(' ').append(ratio(w, value(scenario, peer, metric))).append(" |");
        }
        sb.append('\n');
      }
    }
    sb.append(
        """

        wharf is Wharf's HttpServer with one route (PlaintextServerMain) for plaintext, and the real \
        `wharf serve --quiet --threads 1` for files. reqPerSec and mbPerSec (10^6 bytes read by \
        wrk, heads included): higher is better. p50us/p99us: wrk's latency percentiles in \
        microseconds. serverCpuSec: CPU seconds (user + system) the server process and its \
        workers used in the window; serverCpu: the same as % of one core. perServerCpuSec: \
        requests per server CPU-second, the steadier figure when other work shares the machine. \
        allocPerReq: heap bytes the server JVM allocated per request during the window (all \
        threads; Wharf and Netty JVMs only). genCpu: wrk's CPU, % of one core (near 100: the \
        rate is wrk's limit, compare perServerCpuSec). otherCpu: everything else on the machine \
        during the window, % of one core. errors: wrk's socket errors, timeouts and 4xx/5xx.
        """);
    sb.append("\n## Every window\n\n```\n");
    results.forEach(
        (scenario, byImpl) ->
            byImpl.forEach(
                (impl, byMetric) ->
                    byMetric.forEach(
                        (metric, values) -> {
                          sb.append(scenario).append(' ').append(impl).append(' ');
                          sb.append(metric).append(' ');
                          sb.append(values.stream().map(HttpReport::fmt).toList()).append('\n');
                        })));
    sb.append("```\n\n## Log\n\n```\n");
    log.forEach(l -> sb.append(l).append('\n'));
    sb.append("```\n");
    return sb.toString();
  }
}
