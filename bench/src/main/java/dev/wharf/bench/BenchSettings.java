package dev.wharf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the runners share: settings from system properties (bench/run maps its environment onto
 * them), the commands that start a server or a generator pinned to its core, and the file of
 * started pids that bench/run's trap cleans up if a runner dies without its hook.
 */
public final class BenchSettings {
  public final double warmup = Double.parseDouble(prop("bench.warmup", "15"));
  public final double duration = Double.parseDouble(prop("bench.duration", "20"));
  public final int repeats = Integer.parseInt(prop("bench.repeats", "3"));
  public final String java = prop("bench.java", "java");
  public final String classpath = prop("bench.cp", System.getProperty("java.class.path"));
  public final List<String> serverOpts = split(prop("bench.serverOpts", ""));
  public final List<String> genOpts = split(prop("bench.genOpts", ""));
  public final String serverCpu = prop("bench.serverCpu", "0");
  public final String genCpu = prop("bench.genCpu", "1");
  public final Path pidFile = Path.of(prop("bench.pidFile", "bench/target/bench.pids"));

  public static String prop(String name, String fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** The integer property {@code name}, or {@code fallback} if it is unset. */
  public static int intProp(String name, int fallback) {
    return Integer.parseInt(prop(name, Integer.toString(fallback)));
  }

  /** The last line of a report's setup: the JVM and the options of servers and generators. */
  public String jvmLine() {
    return "JVM "
        + Runtime.version()
        + "; server JVM options: "
        + serverOpts
        + "; generator JVM options: "
        + genOpts
        + "\n";
  }

  public static List<String> split(String s) {
    return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }

  /** Reads a child's output to its end and drops it, so the child never blocks on a full pipe. */
  public static void drain(BufferedReader reader) {
    try {
      while (reader.readLine() != null) {
        // discard
      }
    } catch (IOException ignored) {
      // The process ended.
    }
  }

  /** Deletes a directory and everything in it; nothing if it is null or gone. */
  public static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** {@code taskset -c CPU java OPTS -cp CP MAIN ARGS}. */
  private List<String> javaCommand(
      String cpu, List<String> opts, String mainClass, List<String> args) {
    var cmd = new ArrayList<String>(List.of("taskset", "-c", cpu, java));
    cmd.addAll(opts);
    cmd.addAll(List.of("-cp", classpath, mainClass));
    cmd.addAll(args);
    return cmd;
  }

  public List<String> serverCommand(String mainClass, List<String> args) {
    return javaCommand(serverCpu, serverOpts, mainClass, args);
  }

  public List<String> generatorCommand(String mainClass, List<String> args) {
    return javaCommand(genCpu, genOpts, mainClass, args);
  }

  /** Starts afresh: no pids recorded yet. */
  public void resetPids() throws IOException {
    Files.deleteIfExists(pidFile);
  }

  /** Records a started process, for bench/run's trap. */
  public void rememberPid(long pid) {
    try {
      Files.createDirectories(pidFile.toAbsolutePath().getParent());
      Files.writeString(
          pidFile,
          pid + "\n",
          StandardCharsets.US_ASCII,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("cannot record pid " + pid + " in " + pidFile + ": " + e);
    }
  }

  /** Kills every process this JVM started when it exits, however it exits (short of SIGKILL). */
  public static void killChildrenOnExit() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
  }
}
