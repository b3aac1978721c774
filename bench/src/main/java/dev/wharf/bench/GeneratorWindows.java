package dev.wharf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a load generator that speaks the {@link LoadGen} protocol ({@code MEASURE_START r} when a
 * window opens, {@code RESULT key=value ...} when it closes) against a {@link ServerProcess}, and
 * turns each window into figures: the generator's own ({@code msgsPerSec}, {@code p99us}...) plus
 * the server's CPU seconds in the window (from /proc), work per server CPU-second, heap allocated
 * per unit of work (through the server's ALLOC side channel), the generator's CPU and everyone
 * else's.
 */
public final class GeneratorWindows {
  private static final Pattern KV = Pattern.compile("(\\w+)=(\\S+)");

  private GeneratorWindows() {}

  /**
   * Runs {@code command} to its end.
   *
   * @param countKey the RESULT key that counts the work done in a window ({@code msgs}, {@code
   *     conns}); per-CPU-second and per-unit allocation figures divide by it
   * @param pids told the generator's pid, for cleanup
   * @param window called with each window's figures
   * @param log called with every line worth keeping
   * @return the generator's exit code
   */
  public static int run(
      List<String> command,
      ServerProcess server,
      String countKey,
      LongConsumer pids,
      Consumer<Map<String, Double>> window,
      Consumer<String> log)
      throws IOException, InterruptedException {
    Process gen = new ProcessBuilder(command).redirectErrorStream(true).start();
    pids.accept(gen.pid());
    try (var reader =
        new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8))) {
      long serverTicks0 = 0;
      long genTicks0 = 0;
      long hostTicks0 = 0;
      long t0 = 0;
      OptionalLong alloc0 = OptionalLong.empty();
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("MEASURE_START")) {
          alloc0 = server.allocatedBytes();
          serverTicks0 = server.cpuTicks();
          genTicks0 = ProcStats.cpuTicks(gen.pid());
          hostTicks0 = ProcStats.hostBusyTicks();
          t0 = System.nanoTime();
        } else if (line.startsWith("RESULT")) {
          double wall = (System.nanoTime() - t0) / 1e9;
          long serverTicks = server.cpuTicks() - serverTicks0;
          long genTicks = ProcStats.cpuTicks(gen.pid()) - genTicks0;
          long hostTicks = ProcStats.hostBusyTicks() - hostTicks0;
          OptionalLong alloc1 = server.allocatedBytes();
          Map<String, Double> m = figures(line);
          double hz = ProcStats.CLOCK_TICKS_PER_SECOND;
          double serverCpuSec = serverTicks / hz;
          double count = m.getOrDefault(countKey, 0.0);
          m.put("serverCpuSec", serverCpuSec);
          m.put("serverCpu", 100 * serverCpuSec / wall);
          m.put("perServerCpuSec", serverCpuSec > 0 ? count / serverCpuSec : Double.NaN);
          if (alloc0.isPresent() && alloc1.isPresent() && count > 0) {
            m.put("allocPer", (alloc1.getAsLong() - alloc0.getAsLong()) / count);
          }
          m.put("genCpu", 100 * genTicks / hz / wall);
          m.put("otherCpu", 100 * (hostTicks - serverTicks - genTicks) / hz / wall);
          window.accept(m);
          var sb = new StringBuilder("  ").append(line);
          for (String k :
              List.of("serverCpu", "perServerCpuSec", "allocPer", "genCpu", "otherCpu")) {
            if (m.containsKey(k)) {
              sb.append(' ').append(k).append('=').append(Report.fmt(m.get(k)));
            }
          }
          log.accept(sb.toString());
        } else {
          log.accept("  gen: " + line);
        }
      }
    }
    return gen.waitFor();
  }

  /** The numeric key=value pairs of a RESULT line. */
  public static Map<String, Double> figures(String line) {
    var m = new LinkedHashMap<String, Double>();
    Matcher matcher = KV.matcher(line);
    while (matcher.find()) {
      try {
        m.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
      } catch (NumberFormatException notANumber) {
        // mode=ws, suite=TLS_... and the like
      }
    }
    return m;
  }

  /** The value of {@code key} in a RESULT line, or null. */
  public static String text(String line, String key) {
    Matcher matcher = KV.matcher(line);
    while (matcher.find()) {
      if (matcher.group(1).equals(key)) {
        return matcher.group(2);
      }
    }
    return null;
  }
}
