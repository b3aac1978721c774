package dev.wharf.bench.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk once, pinned to a core, with bench/wrk/http.lua, and reads the script's {@code WRK ...}
 * summary line: request and byte counts, errors, latency percentiles and wrk's own CPU time.
 */
final class Wrk {
  private static final Pattern KV = Pattern.compile("(\\w+)=([0-9.]+)");

  /** One wrk run's figures; latencies in microseconds. */
  record Result(
      long requests,
      long bytes,
      double seconds,
      long errors,
      double p50us,
      double p99us,
      double cpuSeconds,
      String output) {}

  private final String wrk;
  private final Path script;
  private final String cpu;

  Wrk(String wrk, Path script, String cpu) {
    this.wrk = wrk;
    this.script = script;
    this.cpu = cpu;
  }

  /** The command line for one run ({@code depth} > 1 pipelines that many requests per write). */
  List<String> command(String url, int threads, int conns, int seconds, int depth) {
    var cmd =
        new ArrayList<String>(
            List.of(
                "taskset",
                "-c",
                cpu,
                wrk,
                "-t" + threads,
                "-c" + conns,
                "-d" + seconds + "s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                script.toString(),
                url));
    if (depth > 1) {
      cmd.addAll(List.of("--", Integer.toString(depth)));
    }
    return cmd;
  }

  /**
   * Runs the command to its end (bounded: its duration plus a minute), telling {@code started} its
   * pid so it can be killed from outside.
   */
  Result run(List<String> command, int seconds, LongConsumer started)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    started.accept(p.pid());
    try {
      byte[] out;
      // wrk prints only at the end, well under a pipe's buffer: reading to EOF is the wait.
      try (var in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
        throw new IOException("wrk did not end: " + command);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException("wrk exited with " + p.exitValue() + ":\n" + text);
      }
      return parse(text);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  static Result parse(String text) throws IOException {
    String line =
        text.lines()
            .filter(l -> l.startsWith("WRK "))
            .findFirst()
            .orElseThrow(() -> new IOException("no WRK line in wrk's output:\n" + text));
    Map<String, Double> kv = new LinkedHashMap<>();
    Matcher m = KV.matcher(line);
    while (m.find()) {
      kv.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    long errors =
        (long)
            (kv.get("connect")
                + kv.get("read")
                + kv.get("write")
                + kv.get("status")
                + kv.get("timeout"));
    return new Result(
        kv.get("requests").longValue(),
        kv.get("bytes").longValue(),
        kv.get("duration_us") / 1e6,
        errors,
        kv.get("p50us"),
        kv.get("p99us"),
        kv.get("cpu_s"),
        text);
  }
}
