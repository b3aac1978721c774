package dev.wharf.bench.ws;

import dev.wharf.bench.BenchSettings;
import dev.wharf.bench.Harness;
import dev.wharf.bench.ServerProcess;
import dev.wharf.bench.http.ServerArgs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WebSocket comparison behind {@code bench/run ws}: for each scenario and each server ({@link
 * WsServerMain}: Wharf, Netty NIO, Netty epoll), the server pinned to one core with one event loop
 * and {@link WsLoadGen} pinned to the other; warmup, windows, medians and ratios to a markdown
 * table. Then memory per idle WebSocket connection: the server's heap (after full GCs) and RSS with
 * {@code bench.idleConns} connections open, minus the same before connecting.
 *
 * <p>Echo scenarios are named {@code TYPE-SIZE-wK[-deflate]}: {@code text-64-w16} is 64-byte text
 * messages, 16 in flight per connection; {@code binary-64k-w1} 64 KiB binary messages one at a
 * time; {@code -deflate} with permessage-deflate. {@code idle} is the memory test.
 *
 * <p>A {@link Harness.Kind}. Settings: those of {@link BenchSettings} and {@link Harness}, and
 * {@code bench.conns} (connections for the echo scenarios), {@code bench.idleConns}.
 */
public final class WsBenchRunner implements Harness.Kind {
  private static final String TITLE = "Wharf vs Netty WebSocket benchmark";
  static final String DEFAULT_SCENARIOS =
      "text-64-w1,text-64-w16,binary-64k-w1,text-64-w16-deflate,binary-64k-w1-deflate,idle";
  private static final Pattern SCENARIO =
      Pattern.compile("(text|binary)-(\\d+)(k?)-w(\\d+)(-deflate)?");

  private final int conns = BenchSettings.intProp("bench.conns", 100);
  private final int idleConns = BenchSettings.intProp("bench.idleConns", 15000);
  private final int repeats = new BenchSettings().repeats;

  private WsBenchRunner() {}

  public static void main(String[] args) throws Exception {
    Harness.main(new WsBenchRunner());
  }

  /** An echo scenario's parameters. */
  record Echo(String type, int size, int window, boolean deflate) {
    static Echo parse(String scenario) {
      Matcher m = SCENARIO.matcher(scenario);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "scenario " + scenario + " is not TYPE-SIZE-wK[-deflate] or idle");
      }
      int size = Integer.parseInt(m.group(2)) * (m.group(3).isEmpty() ? 1 : 1024);
      return new Echo(m.group(1), size, Integer.parseInt(m.group(4)), m.group(5) != null);
    }
  }

  @Override
  public Harness.Plan plan() {
    return new Harness.Plan(TITLE, ServerArgs.WHARF_AND_NETTY, DEFAULT_SCENARIOS, 7300, LEGEND);
  }

  @Override
  public void check(String scenario) {
    if (!scenario.equals("idle")) {
      Echo.parse(scenario);
    }
  }

  @Override
  public void prepare(Harness h) {
    h.report.note(
        String.format(
            Locale.ROOT,
            "# bench ws: warmup %.0f s, %d x %.0f s, %d connections, %d idle, impls %s,"
                + " scenarios %s",
            h.settings.warmup,
            h.settings.repeats,
            h.settings.duration,
            conns,
            idleConns,
            h.impls,
            h.scenarios));
  }

  /**
   * For idle, a fresh server per repeat, the implementations taking turns: RSS moves with the
   * collector's sizing from run to run, so one run each would compare noise.
   */
  @Override
  public List<String> runs(String scenario, List<String> impls) {
    if (!scenario.equals("idle")) {
      return impls;
    }
    var turns = new ArrayList<String>();
    for (List<String> turn : Collections.nCopies(repeats, impls)) {
      turns.addAll(turn);
    }
    return turns;
  }

  @Override
  public void measure(Harness h, String scenario, String impl, int port) throws Exception {
    if (scenario.equals("idle")) {
      idle(h, impl, port);
    } else {
      echo(h, scenario, Echo.parse(scenario), impl, port);
    }
  }

  @Override
  public List<String> metrics(String scenario) {
    if (scenario.equals("idle")) {
      return List.of(
          "heapPerConn",
          "rssPerConn",
          "heapPerConnMarginal",
          "rssPerConnMarginal",
          "heapBeforeMB",
          "heapAfterMB",
          "rssBeforeMB",
          "rssAfterMB");
    }
    return Harness.loadColumnsAndErrors(
        "msgsPerSec", "perServerCpuSec", "mbPerSec", "p50us", "p99us");
  }

  private static final String LEGEND =
      """
      msgsPerSec: messages echoed per second (higher is better); mbPerSec: their payload, \
      uncompressed, in 10^6 bytes; p50us/p99us: latency from sending a message to its echo \
      arriving whole, in microseconds (with K in flight it includes the queue). \
      perServerCpuSec: messages per CPU-second (user + system) of the server process, the \
      steadier figure when other work shares the machine; serverCpu, genCpu, otherCpu: % of one \
      core used by the server, the generator and everything else in the window (genCpu near 100: \
      the rate is the generator's limit, compare perServerCpuSec). allocPer: heap bytes the \
      server JVM allocated per message (all threads). errors: connections dropped or wrong echoes. \
      idle: heapPerConn and rssPerConn are the growth of the server's used heap (after two full \
      GCs, `jcmd GC.run` then `GC.heap_info`) and of its RSS (/proc/PID/status) from before \
      connecting to with every connection open, divided by the connections; the Marginal ones \
      are the growth over the last two thirds of the connections (opened after the first third \
      was measured), divided by those: the cost of one more connection, without one-time costs \
      such as code compiled and heap regions first touched. Each idle figure is the median over \
      one fresh server per repeat."""
          + Harness.CPU_SPLIT_LEGEND;

  @Override
  public String setup(Harness h) {
    BenchSettings settings = h.settings;
    return String.format(
        Locale.ROOT,
        "Server on core %s (one event loop), generator (WsLoadGen: one thread, a raw client) on"
            + " core %s, private network namespace, loopback. Warmup %.0f s, then %d window(s)"
            + " of %.0f s; medians of the windows. %d connections for echo; TYPE-SIZE-wK: K"
            + " messages of SIZE in flight per connection, JSON-like text (16 different messages"
            + " in turn). -deflate: permessage-deflate, context takeover both ways; the servers"
            + " compress at level 6 (both libraries' default), the generator at level 1. idle:"
            + " %d WebSocket connections, each handshaken and one message echoed, then held.\n\n"
            + "%s",
        settings.serverCpu,
        settings.genCpu,
        settings.warmup,
        settings.repeats,
        settings.duration,
        conns,
        idleConns,
        settings.jvmLine());
  }

  private static List<String> serverCommand(
      BenchSettings settings, String impl, int port, boolean deflate) {
    var args = new ArrayList<>(Harness.serverFlags(impl, port));
    if (deflate) {
      args.add("--deflate");
    }
    return settings.serverCommand(WsServerMain.class.getName(), args);
  }

  private void echo(Harness h, String scenario, Echo echo, String impl, int port) throws Exception {
    var args =
        new ArrayList<>(
            List.of(
                "echo",
                "--port",
                Integer.toString(port),
                "--conns",
                Integer.toString(conns),
                "--size",
                Integer.toString(echo.size()),
                "--window",
                Integer.toString(echo.window()),
                "--type",
                echo.type()));
    args.addAll(h.windowArgs(h.settings.warmup));
    if (echo.deflate()) {
      args.add("--deflate");
    }
    h.driveGenerator(
        scenario,
        impl,
        serverCommand(h.settings, impl, port, echo.deflate()),
        WsLoadGen.class.getName(),
        args,
        "msgs");
  }

  /**
   * Opens a third of the idle connections, measures, then the rest and measures again. Besides the
   * cost from an empty server, this gives the marginal cost of the later connections, from which
   * one-time costs (classes loaded, code compiled, heap regions first touched) are absent.
   */
  private void idle(Harness h, String impl, int port) throws Exception {
    String java = h.settings.java;
    List<String> serverCmd = serverCommand(h.settings, impl, port, false);
    int first = idleConns / 3;
    int rest = idleConns - first;
    h.report.note("## idle " + idleConns + " WebSocket connections / " + impl);
    h.report.note("  server: " + String.join(" ", serverCmd));
    try (var server = h.startServer(impl, serverCmd)) {
      Thread.sleep(3000); // let start-up settle (JIT threads, lazy init) before the baseline
      long[] before = server.memoryAfterGc(java);
      Process firstGen = holdConnections(h, port, first);
      Process restGen = null;
      try {
        if (firstGen == null) {
          return;
        }
        long[] middle = server.memoryAfterGc(java);
        var histogramMiddle = server.classHistogram(java);
        restGen = holdConnections(h, port, rest);
        if (restGen == null) {
          return;
        }
        long[] after = server.memoryAfterGc(java);
        var m = new LinkedHashMap<String, Double>();
        m.put("heapPerConn", (double) (after[1] - before[1]) / idleConns);
        m.put("rssPerConn", (double) (after[0] - before[0]) / idleConns);
        m.put("heapPerConnMarginal", (double) (after[1] - middle[1]) / rest);
        m.put("rssPerConnMarginal", (double) (after[0] - middle[0]) / rest);
        m.put("heapBeforeMB", before[1] / 1e6);
        m.put("heapAfterMB", after[1] / 1e6);
        m.put("rssBeforeMB", before[0] / 1e6);
        m.put("rssAfterMB", after[0] / 1e6);
        m.put("threads", (double) server.threads());
        h.report.record("idle", impl, m);
        h.report.note("  MEMORY " + m);
        h.report.note("  live heap growth per connection over the last " + rest + ", by class:");
        for (String row :
            ServerProcess.histogramGrowth(histogramMiddle, server.classHistogram(java), rest, 40)) {
          h.report.note("  " + row);
        }
      } finally {
        h.release(restGen);
        h.release(firstGen);
      }
      h.noteIfDied(server);
    }
  }

  /** A generator holding {@code conns} idle connections, or null (noted) if it failed. */
  private static Process holdConnections(Harness h, int port, int conns) throws Exception {
    return h.holdConnections(
        WsLoadGen.class.getName(),
        List.of("idle", "--port", Integer.toString(port), "--conns", "" + conns));
  }
}
