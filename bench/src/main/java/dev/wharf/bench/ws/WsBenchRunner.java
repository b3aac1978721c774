package dev.wharf.bench.ws;

import static dev.wharf.bench.BenchSettings.drain;

import dev.wharf.bench.BenchSettings;
import dev.wharf.bench.GeneratorWindows;
import dev.wharf.bench.Report;
import dev.wharf.bench.ServerProcess;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>Settings: those of {@link BenchSettings}, and {@code bench.conns} (connections for the echo
 * scenarios), {@code bench.idleConns}, {@code bench.impls}, {@code bench.scenarios}, {@code
 * bench.out}.
 */
public final class WsBenchRunner {
  static final List<String> ALL_IMPLS = List.of("wharf", "netty-nio", "netty-epoll");
  static final String DEFAULT_SCENARIOS =
      "text-64-w1,text-64-w16,binary-64k-w1,text-64-w16-deflate,binary-64k-w1-deflate,idle";
  private static final Pattern SCENARIO =
      Pattern.compile("(text|binary)-(\\d+)(k?)-w(\\d+)(-deflate)?");

  private final BenchSettings settings = new BenchSettings();
  private final int conns = Integer.parseInt(BenchSettings.prop("bench.conns", "100"));
  private final int idleConns = Integer.parseInt(BenchSettings.prop("bench.idleConns", "15000"));
  private final List<String> impls =
      List.of(BenchSettings.prop("bench.impls", String.join(",", ALL_IMPLS)).split(","));
  private final List<String> scenarios =
      List.of(BenchSettings.prop("bench.scenarios", DEFAULT_SCENARIOS).split(","));
  private final Path out = Path.of(BenchSettings.prop("bench.out", "bench/target/ws.md"));
  private final Report report = new Report();
  private int nextPort = 7300;

  private WsBenchRunner() {}

  public static void main(String[] args) throws Exception {
    BenchSettings.killChildrenOnExit();
    new WsBenchRunner().run();
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

  private void run() throws Exception {
    String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    settings.resetPids();
    for (String scenario : scenarios) {
      if (!scenario.equals("idle")) {
        Echo.parse(scenario); // fail before anything runs
      }
    }
    report.note(
        String.format(
            Locale.ROOT,
            "# bench ws: warmup %.0f s, %d x %.0f s, %d connections, %d idle, impls %s,"
                + " scenarios %s",
            settings.warmup,
            settings.repeats,
            settings.duration,
            conns,
            idleConns,
            impls,
            scenarios));
    for (String scenario : scenarios) {
      if (scenario.equals("idle")) {
        // A fresh server per repeat, the implementations taking turns: RSS moves with the
        // collector's sizing from run to run, so one run each would compare noise.
        for (int rep = 0; rep < settings.repeats; rep++) {
          for (String impl : impls) {
            idle(impl);
          }
        }
      } else {
        for (String impl : impls) {
          echo(scenario, Echo.parse(scenario), impl);
        }
      }
    }
    String text =
        report.render(
            "Wharf vs Netty WebSocket benchmark, " + started,
            setup(),
            scenarios,
            ALL_IMPLS,
            WsBenchRunner::metrics,
            LEGEND);
    System.out.println();
    System.out.println(text);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
    System.out.println("written to " + out);
  }

  private static List<String> metrics(String scenario) {
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
    return List.of(
        "msgsPerSec",
        "perServerCpuSec",
        "mbPerSec",
        "p50us",
        "p99us",
        "serverCpu",
        "allocPer",
        "genCpu",
        "otherCpu",
        "errors");
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
      one fresh server per repeat.""";

  private String setup() {
    return String.format(
        Locale.ROOT,
        "Server on core %s (one event loop), generator (WsLoadGen: one thread, a raw client) on"
            + " core %s, private network namespace, loopback. Warmup %.0f s, then %d window(s)"
            + " of %.0f s; medians of the windows. %d connections for echo; TYPE-SIZE-wK: K"
            + " messages of SIZE in flight per connection, JSON-like text (16 different messages"
            + " in turn). -deflate: permessage-deflate, context takeover both ways; the servers"
            + " compress at level 6 (both libraries' default), the generator at level 1. idle:"
            + " %d WebSocket connections, each handshaken and one message echoed, then held.\n\n"
            + "JVM %s; server JVM options: %s; generator JVM options: %s\n",
        settings.serverCpu,
        settings.genCpu,
        settings.warmup,
        settings.repeats,
        settings.duration,
        conns,
        idleConns,
        Runtime.version(),
        settings.serverOpts,
        settings.genOpts);
  }

  private List<String> serverCommand(String impl, int port, boolean deflate) {
    var args =
        new ArrayList<>(
            List.of(
                "--impl",
                impl,
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--loops",
                "1"));
    if (deflate) {
      args.add("--deflate");
    }
    return settings.serverCommand(WsServerMain.class.getName(), args);
  }

  private void echo(String scenario, Echo echo, String impl) throws Exception {
    int port = nextPort++;
    List<String> serverCmd = serverCommand(impl, port, echo.deflate());
    report.note("## " + scenario + " / " + impl);
    report.note("  server: " + String.join(" ", serverCmd));
    try (var server = ServerProcess.start(impl, serverCmd)) {
      settings.rememberPid(server.pid());
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
                  echo.type(),
                  "--warmup",
                  Double.toString(settings.warmup),
                  "--duration",
                  Double.toString(settings.duration),
                  "--repeats",
                  Integer.toString(settings.repeats)));
      if (echo.deflate()) {
        args.add("--deflate");
      }
      List<String> genCmd = settings.generatorCommand(WsLoadGen.class.getName(), args);
      report.note("  generator: " + String.join(" ", genCmd));
      int rc =
          GeneratorWindows.run(
              genCmd,
              server,
              "msgs",
              settings::rememberPid,
              m -> report.record(scenario, impl, m),
              report::note);
      if (rc != 0) {
        report.note("  generator exited with " + rc);
      }
      if (!server.isAlive()) {
        report.note("  SERVER DIED: " + server.drain());
      }
    }
  }

  /**
   * Opens a third of the idle connections, measures, then the rest and measures again. Besides the
   * cost from an empty server, this gives the marginal cost of the later connections, from which
   * one-time costs (classes loaded, code compiled, heap regions first touched) are absent.
   */
  private void idle(String impl) throws Exception {
    int port = nextPort++;
    List<String> serverCmd = serverCommand(impl, port, false);
    int first = idleConns / 3;
    int rest = idleConns - first;
    report.note("## idle " + idleConns + " WebSocket connections / " + impl);
    report.note("  server: " + String.join(" ", serverCmd));
    try (var server = ServerProcess.start(impl, serverCmd)) {
      settings.rememberPid(server.pid());
      Thread.sleep(3000); // let start-up settle (JIT threads, lazy init) before the baseline
      long[] before = server.memoryAfterGc(settings.java);
      Process firstGen = holdConnections(port, first);
      Process restGen = null;
      try {
        if (firstGen == null) {
          return;
        }
        long[] middle = server.memoryAfterGc(settings.java);
        var histogramMiddle = server.classHistogram(settings.java);
        restGen = holdConnections(port, rest);
        if (restGen == null) {
          return;
        }
        long[] after = server.memoryAfterGc(settings.java);
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
        report.record("idle", impl, m);
        report.note("  MEMORY " + m);
        report.note("  live heap growth per connection over the last " + rest + ", by class:");
        for (String row :
            ServerProcess.histogramGrowth(
                histogramMiddle, server.classHistogram(settings.java), rest, 40)) {
          report.note("  " + row);
        }
      } finally {
        for (Process gen : new Process[] {restGen, firstGen}) {
          if (gen != null) {
            gen.getOutputStream().close(); // the generator closes its connections and exits
            if (!gen.waitFor(60, TimeUnit.SECONDS)) {
              report.note("  idle generator did not exit in 60 s");
            }
            gen.destroyForcibly();
          }
        }
      }
      if (!server.isAlive()) {
        report.note("  SERVER DIED: " + server.drain());
      }
    }
  }

  /** A generator holding {@code conns} idle connections, or null (noted) if it failed. */
  private Process holdConnections(int port, int conns) throws Exception {
    List<String> genCmd =
        settings.generatorCommand(
            WsLoadGen.class.getName(),
            List.of("idle", "--port", Integer.toString(port), "--conns", "" + conns));
    report.note("  generator: " + String.join(" ", genCmd));
    Process gen = new ProcessBuilder(genCmd).redirectErrorStream(true).start();
    settings.rememberPid(gen.pid());
    String held = awaitHeld(gen);
    if (held == null) {
      gen.destroyForcibly();
      return null;
    }
    report.note("  gen: " + held);
    Thread.sleep(2000);
    return gen;
  }

  /** The generator's HELD line, or null (noted) if it failed or took over 10 minutes. */
  private String awaitHeld(Process gen) throws InterruptedException {
    var reader =
        new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String l;
                var seen = new StringBuilder();
                while ((l = reader.readLine()) != null) {
                  if (l.startsWith("HELD")) {
                    return l;
                  }
                  seen.append(l).append(" | ");
                }
                return "EXIT " + seen;
              } catch (IOException e) {
                return "EXIT " + e;
              }
            });
    try {
      String l = line.get(10, TimeUnit.MINUTES);
      if (l.startsWith("HELD")) {
        // Keep draining so the generator never blocks on a full pipe.
        Thread.ofPlatform().daemon().start(() -> drain(reader));
        return l;
      }
      report.note("  idle generator failed: " + l);
    } catch (ExecutionException | TimeoutException e) {
      report.note("  idle generator gave no HELD line: " + e);
    }
    return null;
  }
}
