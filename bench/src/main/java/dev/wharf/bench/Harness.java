package dev.wharf.bench;

import static dev.wharf.bench.BenchSettings.deleteTree;
import static dev.wharf.bench.BenchSettings.drain;
import static dev.wharf.bench.BenchSettings.prop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one runner skeleton behind every comparison of bench/run (echo, http, ws, tls): servers ×
 * scenarios (× repeats, inside each run) → a {@link Report} of medians and Wharf's ratios → the
 * markdown file. A {@link Kind} supplies only what differs: how to start its servers and drive one
 * scenario on one of them, and which columns to show.
 *
 * <p>Settings: those of {@link BenchSettings}, and {@code bench.impls}, {@code bench.scenarios},
 * {@code bench.out}, {@code bench.workDir} (a scratch directory, removed at the end; a temporary
 * one if unset). Every process a run starts is recorded in {@code bench.pidFile} and killed when
 * this JVM exits.
 */
public final class Harness {
  /**
   * What a kind runs and how its report reads: the report's title (without the start time), every
   * implementation it knows (in the order of the report's columns), its scenarios when {@code
   * bench.scenarios} is unset (comma-separated), where its server ports start (each run takes the
   * next one), and what the metrics mean (under the table).
   */
  public record Plan(
      String title, List<String> allImpls, String defaultScenarios, int firstPort, String legend) {}

  /** The columns of a window driven by one of our generators, after the kind's own. */
  private static final List<String> LOAD_COLUMNS =
      List.of("userUsPer", "sysUsPer", "serverCpu", "allocPer", "genCpu", "otherCpu");

  /** What the legends say of userUsPer and sysUsPer, for every kind that shows them. */
  public static final String CPU_SPLIT_LEGEND =
      " userUsPer and sysUsPer: the server's user-mode and system-mode CPU microseconds per unit of"
          + " work (message, connection or handshake); user mode is the server's own code and"
          + " runtime and holds still from window to window, system mode is mostly the kernel's"
          + " TCP, whose share of the loopback's work moves between server and generator in steps.";

  /** What one benchmark kind plugs into the harness. */
  public interface Kind {
    Plan plan();

    /** Throws if {@code scenario} is not one of its names, before anything runs. */
    default void check(String scenario) {}

    /** Called once, before the first scenario: the first line of the log, files it needs. */
    void prepare(Harness harness) throws Exception;

    /**
     * The implementations to run {@code scenario} on, in turn, from those asked for; one may come
     * more than once (a fresh server each time).
     */
    default List<String> runs(String scenario, List<String> impls) {
      return impls;
    }

    /** Runs {@code scenario} on a fresh {@code impl} server on {@code port}, recording windows. */
    void measure(Harness harness, String scenario, String impl, int port) throws Exception;

    /** The setup paragraph(s) above the table. */
    String setup(Harness harness);

    /** The metrics to show for {@code scenario}, in order. */
    List<String> metrics(String scenario);
  }

  public final BenchSettings settings = new BenchSettings();
  public final Report report = new Report();
  public final List<String> impls;
  public final List<String> scenarios;

  /** How many times each server runs each scenario, in turn with the others (BENCH_ROUNDS). */
  public final int rounds = Math.max(1, BenchSettings.intProp("bench.rounds", 1));

  private final Kind kind;
  private final Path out;
  private Path work;
  private int nextPort;

  private Harness(Kind kind) {
    this.kind = kind;
    Plan plan = kind.plan();
    this.impls = List.of(prop("bench.impls", String.join(",", plan.allImpls())).split(","));
    this.scenarios = List.of(prop("bench.scenarios", plan.defaultScenarios()).split(","));
    this.out = Path.of(prop("bench.out", "bench/target/latest.md"));
    this.nextPort = plan.firstPort();
  }

  /** Runs {@code kind} to its report; every process it started dies with this JVM. */
  public static void main(Kind kind) throws Exception {
    BenchSettings.killChildrenOnExit();
    new Harness(kind).run();
  }

  /** The scratch directory of this run. */
  public Path work() {
    return work;
  }

  private void run() throws Exception {
    String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    scenarios.forEach(kind::check);
    settings.resetPids();
    String workDir = prop("bench.workDir", "");
    work = workDir.isEmpty() ? Files.createTempDirectory("wharf-bench") : Path.of(workDir);
    Files.createDirectories(work);
    try {
      kind.prepare(this);
      for (String scenario : scenarios) {
        // Rounds: the kernel's share of loopback work, and the VM's speed, move in steps between
        // windows; servers measured one after the other could each meet another step.
        for (int round = 0; round < rounds; round++) {
          for (String impl : kind.runs(scenario, impls)) {
            kind.measure(this, scenario, impl, nextPort++);
          }
        }
      }
    } finally {
      deleteTree(work);
    }
    Plan plan = kind.plan();
    String text =
        report.render(
            plan.title() + ", " + started,
            kind.setup(this)
                + (rounds > 1
                    ? "\n"
                        + rounds
                        + " rounds: each server ran that many times, fresh, in turn"
                        + " with the others; the figures are medians over all its windows.\n"
                    : ""),
            scenarios,
            plan.allImpls(),
            kind::metrics,
            plan.legend());
    System.out.println();
    System.out.println(text);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
    System.out.println("written to " + out);
  }

  /**
   * The usual measurement: starts one of our servers ({@code READY}, {@code ALLOC}), runs a load
   * generator that speaks the {@link GeneratorWindows} protocol against it, and records each of its
   * windows with the server's CPU and allocation.
   *
   * @param countKey the RESULT key that counts the work of a window ({@code msgs}, ...)
   */
  public void driveGenerator(
      String scenario,
      String impl,
      List<String> serverCmd,
      String generatorMain,
      List<String> generatorArgs,
      String countKey)
      throws Exception {
    report.note("## " + scenario + " / " + impl);
    report.note("  server: " + String.join(" ", serverCmd));
    try (var server = startServer(impl, serverCmd)) {
      List<String> genCmd = settings.generatorCommand(generatorMain, generatorArgs);
      report.note("  generator: " + String.join(" ", genCmd));
      int rc =
          GeneratorWindows.run(
              genCmd,
              server,
              countKey,
              settings::rememberPid,
              m -> report.record(scenario, impl, m),
              report::note);
      if (rc != 0) {
        report.note("  generator exited with " + rc);
      }
      noteIfDied(server);
    }
  }

  /** Starts one of our servers, waits for its READY and records its pid. */
  public ServerProcess startServer(String impl, List<String> serverCmd)
      throws IOException, InterruptedException {
    var server = ServerProcess.start(impl, serverCmd);
    settings.rememberPid(server.pid());
    return server;
  }

  public void noteIfDied(ServerProcess server) {
    if (!server.isAlive()) {
      report.note("  SERVER DIED: " + server.drain());
    }
  }

  /** {@code leading}, then the server's CPU and allocation, the generator's and the rest's CPU. */
  public static List<String> loadColumns(String... leading) {
    var columns = new ArrayList<>(List.of(leading));
    columns.addAll(LOAD_COLUMNS);
    return columns;
  }

  /** As {@link #loadColumns}, then the generator's count of errors. */
  public static List<String> loadColumnsAndErrors(String... leading) {
    List<String> columns = loadColumns(leading);
    columns.add("errors");
    return columns;
  }

  /** The flags every server main takes, for one event loop on 127.0.0.1:{@code port}. */
  public static List<String> serverFlags(String impl, int port) {
    return List.of(
        "--impl", impl, "--host", "127.0.0.1", "--port", Integer.toString(port), "--loops", "1");
  }

  /** The common window arguments of our generators: warmup, duration and repeats. */
  public List<String> windowArgs(double warmup) {
    return List.of(
        "--warmup",
        Double.toString(warmup),
        "--duration",
        Double.toString(settings.duration),
        "--repeats",
        Integer.toString(settings.repeats));
  }

  /**
   * Starts a generator that opens connections, prints {@code HELD ...} and holds them until its
   * stdin closes; returns it once they are held (and 2 s have settled), or null (noted) if it
   * failed or took over 10 minutes.
   */
  public Process holdConnections(String generatorMain, List<String> args) throws Exception {
    List<String> genCmd = settings.generatorCommand(generatorMain, args);
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

  /** Closes a holding generator's stdin (it closes its connections and exits) and waits for it. */
  public void release(Process gen) throws IOException, InterruptedException {
    if (gen == null) {
      return;
    }
    gen.getOutputStream().close();
    if (!gen.waitFor(60, TimeUnit.SECONDS)) {
      report.note("  idle generator did not exit in 60 s");
    }
    gen.destroyForcibly();
  }

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
