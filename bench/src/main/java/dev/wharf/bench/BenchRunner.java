package dev.wharf.bench;

import dev.wharf.bench.http.ServerArgs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * The TCP echo comparison behind {@code bench/run}: for each scenario and each implementation, an
 * echo server ({@link EchoServerMain}) pinned to one core ({@code taskset -c 0}, one event loop)
 * and the {@link LoadGen} pinned to the other ({@code taskset -c 1}); then the idle-connection
 * memory test; medians and Wharf's ratios to a markdown table. A {@link Harness.Kind}; bench/run
 * starts it inside a private network namespace.
 *
 * <p>Scenarios: {@code echo-SIZE-wK} (SIZE-byte messages, K in flight per connection), {@code
 * accept} (32 concurrent connect / 1-byte echo / close), {@code idle} (memory per idle connection).
 *
 * <p>Settings: those of {@link BenchSettings} and {@link Harness}, and {@code bench.conns}, {@code
 * bench.idleConns}.
 */
public final class BenchRunner implements Harness.Kind {
  private static final String TITLE = "Wharf vs Netty echo benchmark";
  private static final String DEFAULT_SCENARIOS =
      "echo-64-w1,echo-64-w16,echo-16384-w1,echo-16384-w16,accept,idle";
  private final int conns = BenchSettings.intProp("bench.conns", 100);
  private final int idleConns = BenchSettings.intProp("bench.idleConns", 10000);

  private static final String LEGEND =
      "msgsPerSec/connsPerSec: higher is better; latency (us), CPU and bytes per connection:"
          + " lower is better. MB/s counts echoed bytes received by the generator. perServerCpuSec:"
          + " messages (or connections) per CPU-second the server process used, the steadier"
          + " figure when other work shares the machine. allocPer: heap bytes the server JVM"
          + " allocated per message (or connection), all threads. otherCpu: CPU used by everything"
          + " else on the machine during the window (% of one core)."
          + Harness.CPU_SPLIT_LEGEND;

  private BenchRunner() {}

  public static void main(String[] args) throws Exception {
    Harness.main(new BenchRunner());
  }

  @Override
  public Harness.Plan plan() {
    return new Harness.Plan(TITLE, ServerArgs.WHARF_AND_NETTY, DEFAULT_SCENARIOS, 7100, LEGEND);
  }

  @Override
  public void check(String scenario) {
    if (!scenario.equals("idle")
        && !scenario.equals("accept")
        && !scenario.matches("echo-\\d+-w\\d+")) {
      throw new IllegalArgumentException(
          "scenario " + scenario + " is not echo-SIZE-wK, accept or idle");
    }
  }

  @Override
  public void prepare(Harness h) {
    h.report.note(
        String.format(
            Locale.ROOT,
            "# bench: warmup %.0fs, %d x %.0fs, %d conns, impls %s, scenarios %s",
            h.settings.warmup,
            h.settings.repeats,
            h.settings.duration,
            conns,
            h.impls,
            h.scenarios));
  }

  @Override
  public void measure(Harness h, String scenario, String impl, int port) throws Exception {
    if (scenario.equals("idle")) {
      idle(h, impl, port);
      return;
    }
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
    } else {
      args.addAll(List.of("accept", "--concurrency", "32"));
    }
    args.addAll(List.of("--port", Integer.toString(port)));
    args.addAll(h.windowArgs(h.settings.warmup));
    h.driveGenerator(
        scenario,
        impl,
        serverCommand(h.settings, impl, port),
        LoadGen.class.getName(),
        args,
        parts[0].equals("echo") ? "msgs" : "conns");
  }

  private static List<String> serverCommand(BenchSettings settings, String impl, int port) {
    return settings.serverCommand(EchoServerMain.class.getName(), Harness.serverFlags(impl, port));
  }

  /** The server's RSS and used heap before and with {@code idleConns} idle connections open. */
  private void idle(Harness h, String impl, int port) throws Exception {
    String java = h.settings.java;
    List<String> serverCmd = serverCommand(h.settings, impl, port);
    h.report.note("## idle " + idleConns + " connections / " + impl);
    h.report.note("  server: " + String.join(" ", serverCmd));
    try (var server = h.startServer(impl, serverCmd)) {
      Thread.sleep(3000); // let start-up settle (JIT threads, lazy init) before the baseline
      long[] before = server.memoryAfterGc(java);
      Process gen =
          h.holdConnections(
              LoadGen.class.getName(),
              List.of("idle", "--conns", Integer.toString(idleConns), "--port", "" + port));
      if (gen == null) {
        return;
      }
      try {
        long[] after = server.memoryAfterGc(java);
        var m = new LinkedHashMap<String, Double>();
        m.put("rssBefore", (double) before[0]);
        m.put("rssAfter", (double) after[0]);
        m.put("heapBefore", (double) before[1]);
        m.put("heapAfter", (double) after[1]);
        m.put("rssPerConn", (double) ((after[0] - before[0]) / idleConns));
        m.put("heapPerConn", (double) ((after[1] - before[1]) / idleConns));
        m.put("threads", (double) server.threads());
        h.report.record("idle", impl, m);
        h.report.note("  MEMORY " + m);
      } finally {
        h.release(gen);
      }
      h.noteIfDied(server);
    }
  }

  @Override
  public String setup(Harness h) {
    BenchSettings s = h.settings;
    return String.format(
        Locale.ROOT,
        "Server on core %s (1 event loop), generator on core %s, private netns, loopback."
            + " Warmup %.0f s, then %d windows of %.0f s; medians of the windows. %d"
            + " connections for echo; accept: 32 concurrent connect/1-byte echo/close(RST)."
            + " serverCpu/genCpu = %% of one core during the windows.\n\n"
            + "JVM: %s; server opts: %s; generator opts: %s\n",
        s.serverCpu,
        s.genCpu,
        s.warmup,
        s.repeats,
        s.duration,
        conns,
        Runtime.version(),
        s.serverOpts,
        s.genOpts);
  }

  @Override
  public List<String> metrics(String scenario) {
    return switch (scenario) {
      case "idle" -> List.of("rssPerConn", "heapPerConn");
      case "accept" -> Harness.loadColumns("connsPerSec", "perServerCpuSec", "p50us", "p99us");
      default ->
          scenario.endsWith("-w1")
              ? Harness.loadColumns(
                  "msgsPerSec", "perServerCpuSec", "mbPerSec", "p50us", "p99us", "p999us")
              : Harness.loadColumns("msgsPerSec", "perServerCpuSec", "mbPerSec", "p99us");
    };
  }
}
