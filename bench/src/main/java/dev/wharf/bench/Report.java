package dev.wharf.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Collects a comparison's windows and log and renders the markdown result file: a table of medians
 * per scenario and metric for each implementation, with Wharf's ratio to each peer, then every
 * window's values and the log.
 */
public final class Report {
  /** scenario -> impl -> metric -> one value per window. */
  private final Map<String, Map<String, Map<String, List<Double>>>> results = new LinkedHashMap<>();

  private final List<String> log = new ArrayList<>();

  /**
   * Prints a progress line and keeps it for the report's log, with this checkout's and this JDK's
   * directories written as {@code .} and {@code $JAVA_HOME}, so a result file names no machine.
   */
  public void note(String line) {
    line = portable(line);
    System.out.println(line);
    System.out.flush();
    log.add(line);
  }

  /** {@code /home/x/wharf/bench/target/...} as {@code bench/target/...}, the JDK as $JAVA_HOME. */
  public static String portable(String line) {
    String checkout = java.nio.file.Path.of("").toAbsolutePath() + "/";
    return line.replace(checkout, "").replace(System.getProperty("java.home"), "$JAVA_HOME");
  }

  public void record(String scenario, String impl, Map<String, Double> metrics) {
    var byMetric =
        results
            .computeIfAbsent(scenario, k -> new LinkedHashMap<>())
            .computeIfAbsent(impl, k -> new LinkedHashMap<>());
    metrics.forEach((k, v) -> byMetric.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
  }

  public static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }

  static double median(List<Double> values) {
    if (values == null || values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The median of a metric's windows, NaN if none. */
  public double value(String scenario, String impl, String metric) {
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

  /**
   * The markdown file.
   *
   * @param metrics the metrics to show for a scenario, in order
   * @param legend what the metrics mean, after the table
   */
  public String render(
      String title,
      String setup,
      List<String> scenarios,
      List<String> implOrder,
      Function<String, List<String>> metrics,
      String legend) {
    var impls = new ArrayList<String>();
    for (String impl : implOrder) {
      if (results.values().stream().anyMatch(m -> m.containsKey(impl))) {
        impls.add(impl);
      }
    }
    var peers = impls.stream().filter(i -> !i.equals("wharf")).toList();
    var sb = new StringBuilder();
    sb.append("# ").append(title).append("\n\n").append(setup).append('\n');
    sb.append("| scenario | metric |");
    impls.forEach(i -> sb.append(' ').append(i).append(" |"));
    peers.forEach(p -> sb.append(" wharf/").append(p).append(" |"));
    sb.append("\n|---|---|").append("---|".repeat(impls.size() + peers.size())).append('\n');
    for (String scenario : scenarios) {
      for (String metric : metrics.apply(scenario)) {
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
    sb.append('\n').append(legend).append('\n');
    sb.append("\n## Every window\n\n```\n");
    results.forEach(
        (scenario, byImpl) ->
            byImpl.forEach(
                (impl, byMetric) ->
                    byMetric.forEach(
                        (metric, values) -> {
                          sb.append(scenario).append(' ').append(impl).append(' ');
                          sb.append(metric).append(' ');
                          sb.append(values.stream().map(Report::fmt).toList()).append('\n');
                        })));
    sb.append("```\n\n## Log\n\n```\n");
    log.forEach(l -> sb.append(l).append('\n'));
    sb.append("```\n");
    return sb.toString();
  }
}
