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
      ServerWindow open = null;
      long genTicks0 = 0;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("MEASURE_START")) {
          genTicks0 = ProcStats.cpuTicks(gen.pid());
          open = ServerWindow.open(server);
        } else if (line.startsWith("RESULT") && open != null) {
          double genCpuSec =
              (ProcStats.cpuTicks(gen.pid()) - genTicks0)
                  / (double) ProcStats.CLOCK_TICKS_PER_SECOND;
          Map<String, Double> m = figures(line);
          open.close(m, m.getOrDefault(countKey, 0.0), genCpuSec, "allocPer");
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

  /**
   * One window of a server, from its counters at the start: {@link #close} adds the window's {@code
   * serverCpuSec}, {@code serverCpu} and {@code genCpu} (% of one core), {@code perServerCpuSec},
   * heap bytes allocated per unit of work, and {@code otherCpu} (everyone else). Whatever drives
   * the load (our generators, wrk) measures the same way.
   */
  public static final class ServerWindow {
    private final ServerProcess server;
    private final OptionalLong alloc0;
    private final ProcStats.Ticks serverTicks0;
    private final long hostTicks0;
    private final long t0;

    private ServerWindow(ServerProcess server) throws IOException, InterruptedException {
      this.server = server;
      this.alloc0 = server.allocatedBytes();
      this.serverTicks0 = server.cpuTicks();
      this.hostTicks0 = ProcStats.hostBusyTicks();
      this.t0 = System.nanoTime();
    }

    public static ServerWindow open(ServerProcess server) throws IOException, InterruptedException {
      return new ServerWindow(server);
    }

    /**
     * @param count the work done in the window (messages, requests)
     * @param genCpuSec the CPU seconds the load generator used in the window
     * @param allocKey the name of the allocation-per-unit figure
     */
    public void close(Map<String, Double> m, double count, double genCpuSec, String allocKey)
        throws IOException, InterruptedException {
      double wall = (System.nanoTime() - t0) / 1e9;
      ProcStats.Ticks serverTicks1 = server.cpuTicks();
      long serverTicks = serverTicks1.total() - serverTicks0.total();
      long hostTicks = ProcStats.hostBusyTicks() - hostTicks0;
      OptionalLong alloc1 = server.allocatedBytes();
      double hz = ProcStats.CLOCK_TICKS_PER_SECOND;
      double serverCpuSec = serverTicks / hz;
      m.put("serverCpuSec", serverCpuSec);
      m.put("serverCpu", 100 * serverCpuSec / wall);
      m.put("perServerCpuSec", serverCpuSec > 0 ? count / serverCpuSec : Double.NaN);
      // The server's CPU per unit of work, split: user mode is the server's own code (and its
      // runtime's); system mode is mostly the kernel's TCP, whose share of the work on loopback
      // moves between server and generator as the timing of the two changes
      // (bench/results/README.md).
      double serverUserSec = (serverTicks1.user() - serverTicks0.user()) / hz;
      if (count > 0) {
        m.put("userUsPer", 1e6 * serverUserSec / count);
        m.put("sysUsPer", 1e6 * (serverCpuSec - serverUserSec) / count);
      }
      if (alloc0.isPresent() && alloc1.isPresent() && count > 0) {
        m.put(allocKey, (alloc1.getAsLong() - alloc0.getAsLong()) / count);
      }
      m.put("genCpu", 100 * genCpuSec / wall);
      m.put("otherCpu", 100 * (hostTicks / hz - serverCpuSec - genCpuSec) / wall);
    }
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
