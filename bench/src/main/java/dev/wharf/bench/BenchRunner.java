package dev.wharf.bench;

import static dev.wharf.bench.BenchSettings.drain;
import static dev.wharf.bench.BenchSettings.prop;
import static dev.wharf.bench.BenchSettings.split;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the comparison: for each scenario and each implementation, an echo server pinned to one core
 * ({@code taskset -c 0}, one event loop) and the {@link LoadGen} pinned to the other ({@code
 * taskset -c 1}); then the idle-connection memory test; then prints and writes a table of medians
 * and Wharf/Netty ratios. bench/run starts it inside a private network namespace.
 *
 * <p>Settings come from system properties (bench/run maps its environment variables onto them):
 * {@code bench.warmup}, {@code bench.duration}, {@code bench.repeats}, {@code bench.conns}, {@code
 * bench.impls}, {@code bench.scenarios}, {@code bench.idleConns}, {@code bench.out}, {@code
 * bench.java}, {@code bench.cp}, {@code bench.serverOpts}, {@code bench.genOpts}, {@code
 * bench.serverCpu}, {@code bench.genCpu}.
 */
public final class BenchRunner {
  private static final long CLOCK_TICKS_PER_SECOND = ProcStats.CLOCK_TICKS_PER_SECOND;
  private static final Pattern KV = Pattern.compile("(\\w+)=(\\S+)");
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

  private final double warmup = Double.parseDouble(prop("bench.warmup", "15"));
  private final double duration = Double.parseDouble(prop("bench.duration", "20"));
  private final int repeats = Integer.parseInt(prop("bench.repeats", "3"));
  private final int conns = Integer.parseInt(prop("bench.conns", "100"));
  private final int idleConns = Integer.parseInt(prop("bench.idleConns", "10000"));
  private final List<String> impls =
      List.of(prop("bench.impls", "wharf,netty-nio,netty-epoll").split(","));
  private final List<String> scenarios =
      List.of(
          prop("bench.scenarios", "echo-64-w1,echo-64-w16,echo-16384-w1,echo-16384-w16,accept,idle")
              .split(","));
  private final String java = prop("bench.java", "java");
  private final String classpath = prop("bench.cp", System.getProperty("java.class.path"));
  private final List<String> serverOpts = split(prop("bench.serverOpts", ""));
  private final List<String> genOpts = split(prop("bench.genOpts", ""));
  private final String serverCpu = prop("bench.serverCpu", "0");
  private final String genCpu = prop("bench.genCpu", "1");
  private final Path out = Path.of(prop("bench.out", "bench/results/latest.md"));
  private int nextPort = 7100;

  /** scenario -> impl -> metric -> one value per repeat. */
  private final Map<String, Map<String, Map<String, List<Double>>>> results = new LinkedHashMap<>();

  private final List<String> log = new ArrayList<>();

  private BenchRunner() {}

  public static void main(String[] args) throws Exception {
    new BenchRunner().run();
  }

  private void note(String line) {
    line = Report.portable(line);
    System.out.println(line);
    System.out.flush();
    log.add(line);
  }

  private void run() throws Exception {
    String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    note(
        String.format(
            Locale.ROOT,
            "# bench: warmup %.0fs, %d x %.0fs, %d conns, impls %s, scenarios %s",
            warmup,
            repeats,
            duration,
            conns,
            impls,
            scenarios));
    for (String scenario : scenarios) {
      for (String impl : impls) {
        if (scenario.equals("idle")) {
          idle(impl);
        } else {
          load(scenario, impl);
        }
      }
    }
    String report = report(started);
    System.out.println();
    System.out.println(report);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, report, StandardCharsets.UTF_8);
    System.out.println("written to " + out);
  }

  // ---- processes ----

  private Process startServer(String impl, int port) throws IOException, InterruptedException {
    var cmd = new ArrayList<String>(List.of("taskset", "-c", serverCpu, java));
    cmd.addAll(serverOpts);
    cmd.addAll(
        List.of(
            "-cp",
            classpath,
            "dev.wharf.bench.EchoServerMain",
            "--impl",
            impl,
            "--port",
            Integer.toString(port),
            "--threads",
            "1"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.startsWith("READY")) {
        note("  server " + line);
        // Keep draining its stdout so it never blocks on a full pipe.
        Thread.ofPlatform().daemon().start(() -> drain(reader));
        return p;
      }
      note("  server: " + line);
    }
    throw new IOException("server " + impl + " exited before READY: " + p.waitFor());
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private Process startGenerator(List<String> args) throws IOException {
    var cmd = new ArrayList<String>(List.of("taskset", "-c", genCpu, java));
    cmd.addAll(genOpts);
    cmd.addAll(List.of("-cp", classpath, "dev.wharf.bench.LoadGen"));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  // ---- load scenarios ----

  private List<String> generatorArgs(String scenario, int port) {
    var args = new ArrayList<String>();
    String[] parts = scenario.split("-");
    if (parts[0].equals("echo")) {
      args.addAll(
          List.of(
              "echo",
              "--size",
              parts[1],
              "--window",
              parts[2].substring(1),
              "--conns",
              Integer.toString(conns)));
    } else if (parts[0].equals("accept")) {
      args.addAll(List.of("accept", "--concurrency", "32"));
    } else {
      throw new IllegalArgumentException("unknown scenario " + scenario);
    }
    args.addAll(
        List.of(
            "--port",
            Integer.toString(port),
            "--warmup",
            Double.toString(warmup),
            "--duration",
            Double.toString(duration),
            "--repeats",
            Integer.toString(repeats)));
    return args;
  }

  private void load(String scenario, String impl) throws Exception {
    int port = nextPort++;
    note("## " + scenario + " / " + impl);
    Process server = startServer(impl, port);
    Process gen = null;
    try {
      gen = startGenerator(generatorArgs(scenario, port));
      var reader = new BufferedReader(new InputStreamReader(gen.getInputStream(), UTF8));
      long serverTicks0 = 0;
      long genTicks0 = 0;
      long hostTicks0 = 0;
      long t0 = 0;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("MEASURE_START")) {
          serverTicks0 = ProcStats.cpuTicks(server.pid());
          genTicks0 = ProcStats.cpuTicks(gen.pid());
          hostTicks0 = ProcStats.hostBusyTicks();
          t0 = System.nanoTime();
        } else if (line.startsWith("RESULT")) {
          double secs = (System.nanoTime() - t0) / 1e9;
          long serverTicks = ProcStats.cpuTicks(server.pid()) - serverTicks0;
          long genTicks = ProcStats.cpuTicks(gen.pid()) - genTicks0;
          long otherTicks = ProcStats.hostBusyTicks() - hostTicks0 - serverTicks - genTicks;
          double perCore = 100.0 / CLOCK_TICKS_PER_SECOND / secs;
          Map<String, String> kv = parse(line);
          double serverCpuSeconds = (double) serverTicks / CLOCK_TICKS_PER_SECOND;
          double count = Double.parseDouble(kv.getOrDefault("msgs", kv.getOrDefault("conns", "0")));
          kv.put("serverCpu", String.format(Locale.ROOT, "%.1f", serverTicks * perCore));
          kv.put("genCpu", String.format(Locale.ROOT, "%.1f", genTicks * perCore));
          kv.put("otherCpu", String.format(Locale.ROOT, "%.1f", otherTicks * perCore));
          // Work per CPU-second of the server: steadier than the rate on a shared machine.
          kv.put(
              "perServerCpuSec",
              String.format(
                  Locale.ROOT, "%.0f", serverCpuSeconds > 0 ? count / serverCpuSeconds : 0));
          record(scenario, impl, kv);
          note(
              "  "
                  + line
                  + " serverCpu="
                  + kv.get("serverCpu")
                  + " genCpu="
                  + kv.get("genCpu")
                  + " otherCpu="
                  + kv.get("otherCpu")
                  + " perServerCpuSec="
                  + kv.get("perServerCpuSec"));
        } else {
          note("  gen: " + line);
        }
      }
      int rc = gen.waitFor();
      if (rc != 0) {
        note("  generator exited with " + rc);
      }
      if (!server.isAlive()) {
        note("  SERVER DIED with " + server.exitValue());
      }
    } finally {
      ProcStats.stop(gen);
      ProcStats.stop(server);
    }
  }

  private static Map<String, String> parse(String line) {
    var kv = new LinkedHashMap<String, String>();
    Matcher m = KV.matcher(line);
    while (m.find()) {
      kv.put(m.group(1), m.group(2));
    }
    return kv;
  }

  private void record(String scenario, String impl, Map<String, String> kv) {
    var metrics =
        results
            .computeIfAbsent(scenario, k -> new LinkedHashMap<>())
            .computeIfAbsent(impl, k -> new LinkedHashMap<>());
    for (var e : kv.entrySet()) {
      try {
        metrics
            .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
            .add(Double.parseDouble(e.getValue()));
      } catch (NumberFormatException ignored) {
        // mode=echo and the like
      }
    }
  }

  // ---- idle connections: memory ----

  private String jcmd(long pid, String command) throws IOException, InterruptedException {
    String jcmd = Path.of(java).resolveSibling("jcmd").toString();
    Process p =
        new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), UTF8);
    p.waitFor(60, TimeUnit.SECONDS);
    return text;
  }

  /** [RSS bytes, heap used bytes] after a full GC. */
  private long[] memory(long pid) throws Exception {
    jcmd(pid, "GC.run");
    Thread.sleep(1000);
    jcmd(pid, "GC.run");
    Thread.sleep(1000);
    String heap = jcmd(pid, "GC.heap_info");
    Matcher h = HEAP_USED.matcher(heap);
    long heapUsed = h.find() ? Long.parseLong(h.group(1)) * 1024 : -1;
    Matcher r = VM_RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
    long rss = r.find() ? Long.parseLong(r.group(1)) * 1024 : -1;
    return new long[] {rss, heapUsed};
  }

  private void idle(String impl) throws Exception {
    int port = nextPort++;
    note("## idle " + idleConns + " connections / " + impl);
    Process server = startServer(impl, port);
    Process gen = null;
    try {
      Thread.sleep(3000);
      long[] before = memory(server.pid());
      gen =
          startGenerator(
              List.of(
                  "idle",
                  "--conns",
                  Integer.toString(idleConns),
                  "--port",
                  Integer.toString(port)));
      var reader = new BufferedReader(new InputStreamReader(gen.getInputStream(), UTF8));
      String line = reader.readLine();
      if (line == null || !line.startsWith("HELD")) {
        note("  idle generator failed: " + line);
        return;
      }
      note("  gen: " + line);
      Thread.sleep(2000);
      long[] after = memory(server.pid());
      long threads = countThreads(server.pid());
      gen.getOutputStream().close();
      var kv = new LinkedHashMap<String, String>();
      kv.put("rssBefore", Long.toString(before[0]));
      kv.put("rssAfter", Long.toString(after[0]));
      kv.put("heapBefore", Long.toString(before[1]));
      kv.put("heapAfter", Long.toString(after[1]));
      kv.put("rssPerConn", Long.toString((after[0] - before[0]) / idleConns));
      kv.put("heapPerConn", Long.toString((after[1] - before[1]) / idleConns));
      kv.put("threads", Long.toString(threads));
      record("idle", impl, kv);
      note("  MEMORY " + kv);
      gen.waitFor(30, TimeUnit.SECONDS);
    } finally {
      ProcStats.stop(gen);
      ProcStats.stop(server);
    }
  }

  private static long countThreads(long pid) {
    try (var s = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  // ---- report ----

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

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0
        ? "-"
        : String.format(Locale.ROOT, "%.2f", a / b);
  }

  private String report(String started) {
    var sb = new StringBuilder();
    sb.append("# Wharf vs Netty echo benchmark, ").append(started).append("\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "Server on core %s (1 event loop), generator on core %s, private netns, loopback."
                + " Warmup %.0f s, then %d windows of %.0f s; medians of the windows. %d"
                + " connections for echo; accept: 32 concurrent connect/1-byte echo/close(RST)."
                + " serverCpu/genCpu = %% of one core during the windows.\n\n",
            serverCpu,
            genCpu,
            warmup,
            repeats,
            duration,
            conns));
    sb.append("JVM: ").append(Runtime.version()).append("; server opts: ").append(serverOpts);
    sb.append("; generator opts: ").append(genOpts).append("\n\n");
    String nio = impls.contains("netty-nio") ? "netty-nio" : null;
    String epoll = impls.contains("netty-epoll") ? "netty-epoll" : null;
    sb.append("| scenario | metric |");
    for (String impl : impls) {
      sb.append(' ').append(impl).append(" |");
    }
    sb.append(" wharf/netty-nio | wharf/netty-epoll |\n|---|---|");
    sb.append("---|".repeat(impls.size())).append("---|---|\n");
    for (String scenario : scenarios) {
      List<String> metrics =
          switch (scenario) {
            case "idle" -> List.of("rssPerConn", "heapPerConn");
            case "accept" ->
                List.of(
                    "connsPerSec",
                    "perServerCpuSec",
                    "p50us",
                    "p99us",
                    "serverCpu",
                    "genCpu",
                    "otherCpu");
            default ->
                scenario.endsWith("-w1")
                    ? List.of(
                        "msgsPerSec",
                        "perServerCpuSec",
                        "mbPerSec",
                        "p50us",
                        "p99us",
                        "p999us",
                        "serverCpu",
                        "genCpu",
                        "otherCpu")
                    : List.of(
                        "msgsPerSec",
                        "perServerCpuSec",
                        "mbPerSec",
                        "p99us",
                        "serverCpu",
                        "genCpu",
                        "otherCpu");
          };
      for (String metric : metrics) {
        sb.append("| ").append(scenario).append(" | ").append(metric).append(" |");
        for (String impl : impls) {
          sb.append(' ').append(fmt(value(scenario, impl, metric))).append(" |");
        }
        double w = value(scenario, "wharf", metric);
        sb.append(' ').append(nio == null ? "-" : ratio(w, value(scenario, nio, metric)));
        sb.append(" | ").append(epoll == null ? "-" : ratio(w, value(scenario, epoll, metric)));
        sb.append(" |\n");
      }
    }
    sb.append("\nmsgsPerSec/connsPerSec: higher is better; latency (us), CPU and bytes per");
    sb.append(" connection: lower is better. MB/s counts echoed bytes received by the generator.");
    sb.append(
        " perServerCpuSec: messages (or connections) per CPU-second the server process used,");
    sb.append(" the steadier figure when other work shares the machine. otherCpu: CPU used by");
    sb.append(" everything else on the machine during the window (% of one core).\n");
    sb.append("\n## Every window\n\n```\n");
    for (var s : results.entrySet()) {
      for (var i : s.getValue().entrySet()) {
        for (var m : i.getValue().entrySet()) {
          sb.append(s.getKey())
              .append(' ')
              .append(i.getKey())
              .append(' ')
              .append(m.getKey())
              .append(' ')
              .append(m.getValue())
              .append('\n');
        }
      }
    }
    sb.append("```\n\n## Log\n\n```\n");
    log.forEach(l -> sb.append(l).append('\n'));
    sb.append("```\n");
    return sb.toString();
  }
}
