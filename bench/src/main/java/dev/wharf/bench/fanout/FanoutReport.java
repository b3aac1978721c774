package dev.wharf.bench.fanout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the rows {@link FanoutBench} appended into a Markdown table, and compares each Wharf broker
 * with its Socket.IO counterpart of the same run: in-memory with plain Socket.IO, Redis with
 * Socket.IO's Redis adapter. Usage: {@code FanoutReport ROWS.tsv TITLE}; prints to stdout.
 */
public final class FanoutReport {
  private static final String[] HEADERS = {
    "server",
    "subscribers",
    "connect s",
    "RSS B/sub",
    "heap B/sub",
    "steady pub/s",
    "p50 ms",
    "p99 ms",
    "p99.9 ms",
    "max ms",
    "steady deliveries/s",
    "steady deliveries/server CPU-s",
    "burst",
    "burst deliveries/s (median)",
    "burst deliveries/server CPU-s (median)",
    "burst p99 ms",
    "lost"
  };

  /** The Socket.IO row each Wharf row is compared with. */
  private static final Map<String, String> PEERS =
      Map.of("wharf-memory", "socketio", "wharf-redis", "socketio-redis");

  private FanoutReport() {}

  public static void main(String[] args) throws Exception {
    List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    var rows = new LinkedHashMap<String, String[]>();
    for (String line : lines) {
      if (!line.isBlank()) {
        String[] cells = line.split("\t");
        rows.put(cells[0], cells);
      }
    }
    var md = new StringBuilder();
    md.append("| ").append(String.join(" | ", HEADERS)).append(" |\n|");
    md.append("---|".repeat(HEADERS.length)).append('\n');
    for (String[] cells : rows.values()) {
      md.append("| ").append(String.join(" | ", round(cells))).append(" |\n");
    }
    md.append('\n');
    for (var peer : PEERS.entrySet()) {
      String[] w = rows.get(peer.getKey());
      String[] s = rows.get(peer.getValue());
      if (w == null || s == null) {
        continue;
      }
      md.append(
          String.format(
              Locale.ROOT,
              "- %s vs %s (above 1: Wharf ahead): p50 latency %.2fx, p99 %.2fx, p99.9 %.2fx;"
                  + " burst deliveries/s %.2fx; burst deliveries per server CPU-second %.2fx;"
                  + " RSS per subscriber %.2fx\n",
              peer.getKey(),
              peer.getValue(),
              ratio(s[6], w[6]),
              ratio(s[7], w[7]),
              ratio(s[8], w[8]),
              ratio(w[13], s[13]),
              ratio(w[14], s[14]),
              ratio(s[3], w[3])));
    }
    System.out.print(md);
  }

  private static double ratio(String numerator, String denominator) {
    return Double.parseDouble(numerator) / Double.parseDouble(denominator);
  }

  /** Whole numbers for the large figures, two decimals for milliseconds. */
  private static String[] round(String[] cells) {
    var out = cells.clone();
    for (int i = 2; i < out.length; i++) {
      double v;
      try {
        v = Double.parseDouble(out[i]);
      } catch (NumberFormatException e) {
        continue;
      }
      boolean millis = HEADERS[i].endsWith("ms") || HEADERS[i].endsWith(" s");
      out[i] =
          Double.isNaN(v)
              ? "n/a"
              : millis ? String.format(Locale.ROOT, "%.2f", v) : String.format("%.0f", v);
    }
    return out;
  }
}
