package dev.wharf.bench.http;

import static dev.wharf.bench.BenchSettings.intProp;
import static dev.wharf.bench.BenchSettings.prop;

import dev.wharf.bench.BenchSettings;
import dev.wharf.bench.GeneratorWindows.ServerWindow;
import dev.wharf.bench.Harness;
import dev.wharf.bench.Report;
import dev.wharf.bench.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The HTTP comparison behind {@code bench/run http}: for each scenario and each server, the server
 * pinned to one core ({@code taskset -c 0}, one event loop or worker) and wrk pinned to the other
 * ({@code taskset -c 1}, one thread); a warmup run, then timed windows; medians and ratios to a
 * markdown table.
 *
 * <p>Scenarios: {@code plaintext} (GET /plaintext, keep-alive), {@code plaintext-p16} (the same, 16
 * requests per write), {@code static-4k} and {@code static-1m} (GET of a 4 KiB and a 1 MiB file).
 * Servers: Wharf ({@link PlaintextServerMain}; for files the real {@code wharf serve}), Netty NIO
 * and epoll ({@link PlaintextServerMain}, {@link StaticFileServerMain}), nginx, and for files
 * {@code python3 -m http.server}; for plaintext also {@code c-epoll}, a one-thread epoll server in
 * C (bench/c/plaintext-epoll.c), the floor of what one core can do.
 *
 * <p>Per window: requests/s, MB/s, wrk's p50/p99, the server's CPU seconds (utime + stime of it and
 * its workers, from /proc), requests per server CPU-second, and for the JVM servers of Wharf and
 * Netty the heap bytes allocated per request (asked before and after through stdin, off the
 * measured port).
 *
 * <p>A {@link Harness.Kind} whose generator is wrk: it times its windows itself. Settings: those of
 * {@link BenchSettings} and {@link Harness}, and {@code bench.conns}, {@code bench.depth}, {@code
 * bench.pythonWarmup}, {@code bench.pythonDuration}, {@code bench.pythonRepeats}, {@code
 * bench.cliJar}, {@code bench.wrkScript}, {@code bench.wrk}, {@code bench.nginx}, {@code
 * bench.python}.
 */
public final class HttpBenchRunner implements Harness.Kind {
  static final List<String> ALL_IMPLS =
      List.of(
          "wharf",
          "netty-nio",
          "netty-epoll",
          "nginx",
          "python",
          "c-epoll",
          "nio-floor",
          "ffm-floor");
  private static final List<String> PLAINTEXT_IMPLS =
      List.of("wharf", "netty-nio", "netty-epoll", "nginx", "c-epoll", "nio-floor", "ffm-floor");
  private static final List<String> FILE_IMPLS = ALL_IMPLS.subList(0, 5);

  private final BenchSettings settings = new BenchSettings();
  private final int warmup = (int) settings.warmup;
  private final int duration = (int) settings.duration;
  private final int repeats = settings.repeats;

  /**
   * How many times each server runs (fresh, in turn with the others: wharf, netty, c, wharf, ...):
   * the kernel's share of the work moves in steps over minutes, and servers measured one after the
   * other could each meet a different step.
   */
  private final int conns = intProp("bench.conns", 64);

  private final int depth = intProp("bench.depth", 16);
  private final int pythonWarmup = Math.min(warmup, intProp("bench.pythonWarmup", 3));
  private final int pythonDuration = Math.min(duration, intProp("bench.pythonDuration", 10));
  private final int pythonRepeats = Math.min(repeats, intProp("bench.pythonRepeats", 1));
  private final String cliJar = prop("bench.cliJar", "cli/target/wharf-cli.jar");
  private final String nginx = prop("bench.nginx", "nginx");
  private final String python = prop("bench.python", "/usr/bin/python3");
  private final String cEpoll = prop("bench.cEpoll", "bench/target/plaintext-epoll");
  private final Wrk wrk =
      new Wrk(
          prop("bench.wrk", "wrk"),
          Path.of(prop("bench.wrkScript", "bench/wrk/http.lua")),
          settings.genCpu);

  @Override
  public List<String> metrics(String scenario) {
    var columns =
        new ArrayList<>(
            List.of(
                "reqPerSec",
                "mbPerSec",
                "perServerCpuSec",
                "userUsPer",
                "sysUsPer",
                "p50us",
                "p99us",
                "serverCpuSec",
                "serverCpu",
                "allocPerReq",
                "genCpu",
                "otherCpu",
                "errors"));
    if (scenario.startsWith("plaintext")) {
      columns.remove("mbPerSec"); // all the same small body: requests say it all
    }
    return columns;
  }

  /** What the columns mean, printed under the table. */
  private static final String LEGEND =
      """
        wharf is Wharf's HttpServer with one route (PlaintextServerMain) for plaintext, and the real \
        `wharf serve --quiet --threads 1` for files. reqPerSec and mbPerSec (10^6 bytes read by \
        wrk, heads included): higher is better. p50us/p99us: wrk's latency percentiles in \
        microseconds. serverCpuSec: CPU seconds (user + system) the server process and its \
        workers used in the window; serverCpu: the same as % of one core. perServerCpuSec: \
        requests per server CPU-second, the steadier figure when other work shares the machine. \
        userUsPer and sysUsPer: the server's user-mode and system-mode CPU microseconds per request \
        (lower is better). User mode is the server's own code and runtime, and holds still from \
        window to window; system mode is mostly the kernel's TCP, whose share of the loopback's \
        work moves between server and wrk in steps as their timing changes (on this VM, in the \
        same run, a C server's went from 8 to 5 us a request). Hence rounds: each server runs \
        in turn, fresh, BENCH_ROUNDS times, and the medians are over all its windows. \
        allocPerReq: heap bytes the server JVM allocated per request during the window (all \
        threads; Wharf and Netty JVMs only). genCpu: wrk's CPU, % of one core (near 100: the \
        rate is wrk's limit, compare perServerCpuSec). otherCpu: everything else on the machine \
        during the window, % of one core. errors: wrk's socket errors, timeouts and 4xx/5xx. \
        c-epoll (plaintext only): bench/c/plaintext-epoll.c, one thread, one epoll loop, one \
        write per read's worth of requests, Date cached per second. nio-floor (plaintext only): \
        the same server on java.nio (NioFloorPlaintextServer): the floor of any server on the \
        JDK's selector and channels; Wharf against it is Wharf's own cost. ffm-floor (plaintext \
        only): the same again with epoll, read and write called through FFM \
        (FfmFloorPlaintextServer): what a transport of our own could save against java.nio.
        """;

  private Report report;
  private Path work;
  private Path www;

  private HttpBenchRunner() {}

  public static void main(String[] args) throws Exception {
    Harness.main(new HttpBenchRunner());
  }

  @Override
  public Harness.Plan plan() {
    return new Harness.Plan(
        "Wharf HTTP benchmark",
        ALL_IMPLS,
        "plaintext,plaintext-p" + depth + ",static-4k,static-1m",
        8100,
        LEGEND);
  }

  @Override
  public void check(String scenario) {
    if (!scenario.startsWith("plaintext")) {
      fileName(scenario);
    }
  }

  @Override
  public void prepare(Harness h) throws IOException {
    report = h.report;
    work = h.work();
    www = staticFiles(work.resolve("www"));
    report.note(
        String.format(
            Locale.ROOT,
            "# bench http: warmup %d s, %d x %d s (python: %d s, %d x %d s), wrk -t1 -c%d,"
                + " depth %d, impls %s, scenarios %s",
            warmup,
            repeats,
            duration,
            pythonWarmup,
            pythonRepeats,
            pythonDuration,
            conns,
            depth,
            h.impls,
            h.scenarios));
  }

  /** Plaintext on the servers that have a route for it; files on all. */
  @Override
  public List<String> runs(String scenario, List<String> impls) {
    List<String> candidates = scenario.startsWith("plaintext") ? PLAINTEXT_IMPLS : FILE_IMPLS;
    return candidates.stream().filter(impls::contains).toList();
  }

  @Override
  public String setup(Harness h) {
    return String.format(
        Locale.ROOT,
        "Server on core %s (one event loop / worker), wrk on core %s (one thread, %d connections),"
            + " private network namespace, loopback. Warmup %d s (two runs of wrk: a fifth, then"
            + " the rest), then %d window(s) of %d s; medians of all windows. python3 -m"
            + " http.server: warmup %d s, %d window(s) of %d s"
            + " (it is far slower; HTTP/1.0, a connection per request). plaintext-p%d: %d"
            + " requests per write (wrk's latency is then per batch).\n\n"
            + "JVM %s; server JVM options: %s\n",
        settings.serverCpu,
        settings.genCpu,
        conns,
        warmup,
        repeats,
        duration,
        pythonWarmup,
        pythonRepeats,
        pythonDuration,
        depth,
        depth,
        Runtime.version(),
        settings.serverOpts);
  }

  // ---- one scenario on one server ----

  @Override
  public void measure(Harness h, String scenario, String impl, int port) throws Exception {
    boolean python = impl.equals("python");
    int warm = python ? pythonWarmup : warmup;
    int secs = python ? pythonDuration : duration;
    int windows = python ? pythonRepeats : repeats;
    String path = scenario.startsWith("plaintext") ? "/plaintext" : "/" + fileName(scenario);
    int d = scenario.startsWith("plaintext-p") ? Integer.parseInt(scenario.substring(11)) : 1;
    String url = "http://127.0.0.1:" + port + path;
    List<String> command = serverCommand(scenario, impl, port, www);
    report.note("## " + scenario + " / " + impl);
    report.note("  server: " + String.join(" ", command));
    try (ServerProcess server =
        ServerProcess.startListening(
            impl,
            command,
            port,
            command.contains(PlaintextServerMain.class.getName())
                || command.contains(StaticFileServerMain.class.getName()))) {
      server.pids().forEach(settings::rememberPid);
      if (warm > 0) {
        // In two runs of wrk: the first's connections close and the second's open before the
        // JIT has settled, as every window's will. Otherwise the code compiled for the first
        // connections' steady state is thrown away at the first reconnect (uncommon traps for
        // end of input, close, accept) and recompiled inside the first window.
        int first = Math.min(warm, Math.max(1, warm / 5));
        for (int part : warm > first ? new int[] {first, warm - first} : new int[] {warm}) {
          List<String> warmCmd = wrk.command(url, 1, conns, part, d);
          report.note("  warmup: " + String.join(" ", warmCmd));
          Wrk.Result w = wrk.run(warmCmd, part, settings::rememberPid);
          report.note("  warmup done: " + w.requests() + " requests, " + w.errors() + " errors");
        }
      }
      List<String> cmd = wrk.command(url, 1, conns, secs, d);
      report.note("  window: " + String.join(" ", cmd));
      for (int i = 1; i <= windows; i++) {
        window(scenario, impl, server, cmd, secs, i);
      }
      if (!server.isAlive()) {
        report.note("  SERVER DIED: " + server.drain());
      }
    }
  }

  private void window(
      String scenario, String impl, ServerProcess server, List<String> cmd, int secs, int index)
      throws Exception {
    var window = ServerWindow.open(server);
    Wrk.Result r = wrk.run(cmd, secs, settings::rememberPid);
    var m = new LinkedHashMap<String, Double>();
    m.put("reqPerSec", r.requests() / r.seconds());
    m.put("mbPerSec", r.bytes() / r.seconds() / 1e6);
    m.put("p50us", r.p50us());
    m.put("p99us", r.p99us());
    window.close(m, r.requests(), r.cpuSeconds(), "allocPerReq");
    m.put("errors", (double) r.errors());
    report.record(scenario, impl, m);
    var line = new StringBuilder("  window " + index + ":");
    m.forEach((k, v) -> line.append(' ').append(k).append('=').append(Report.fmt(v)));
    line.append(" requests=").append(r.requests());
    report.note(line.toString());
  }

  private List<String> serverCommand(String scenario, String impl, int port, Path www)
      throws IOException {
    var cmd = new ArrayList<String>(List.of("taskset", "-c", settings.serverCpu));
    String p = Integer.toString(port);
    boolean plaintext = scenario.startsWith("plaintext");
    switch (impl) {
      case "nginx" -> {
        Path prefix = work.resolve("nginx-" + port);
        Path conf = NginxConfig.write(prefix, port, www);
        cmd.addAll(
            List.of(
                nginx,
                "-p",
                prefix.toString(),
                "-c",
                conf.toString(),
                "-e",
                prefix.resolve("error.log").toString()));
      }
      case "c-epoll" -> cmd.addAll(List.of(cEpoll, "--host", "127.0.0.1", "--port", p));
      case "python" ->
          cmd.addAll(
              List.of(
                  python,
                  "-m",
                  "http.server",
                  "--bind",
                  "127.0.0.1",
                  "--directory",
                  www.toString(),
                  p));
      case "wharf", "netty-nio", "netty-epoll", "nio-floor", "ffm-floor" -> {
        cmd.add(settings.java);
        cmd.addAll(settings.serverOpts);
        if (plaintext || !impl.equals("wharf")) {
          String main =
              plaintext
                  ? PlaintextServerMain.class.getName()
                  : StaticFileServerMain.class.getName();
          cmd.addAll(List.of("-cp", settings.classpath, main));
          cmd.addAll(Harness.serverFlags(impl, port));
          if (!plaintext) {
            cmd.addAll(List.of("--dir", www.toString()));
          }
        } else {
          // Wharf's files: the real command line tool, as a user runs it (without its access log).
          cmd.addAll(
              List.of(
                  "-jar",
                  cliJar,
                  "serve",
                  "--quiet",
                  "--bind",
                  "127.0.0.1",
                  "--port",
                  p,
                  "--threads",
                  "1",
                  www.toString()));
        }
      }
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    }
    return cmd;
  }

  // ---- files and cleanup ----

  private static String fileName(String scenario) {
    return switch (scenario) {
      case "static-4k" -> "4k.bin";
      case "static-1m" -> "1m.bin";
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    };
  }

  /** 4k.bin and 1m.bin of fixed pseudo-random bytes, readable by nginx's unprivileged worker. */
  private static Path staticFiles(Path dir) throws IOException {
    Files.createDirectories(dir);
    var random = new Random(42);
    for (var e : Map.of("4k.bin", 4096, "1m.bin", 1 << 20).entrySet()) {
      byte[] bytes = new byte[e.getValue()];
      random.nextBytes(bytes);
      Path f = dir.resolve(e.getKey());
      Files.write(f, bytes);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }
}
