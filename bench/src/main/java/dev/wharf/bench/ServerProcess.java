package dev.wharf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One benchmark server process: started, awaited, asked, measured, stopped. Ours print {@code READY
 * <impl> <port> <pid>} once they listen and answer {@code ALLOC} on stdin (see {@code
 * dev.wharf.bench.http.ServerControl}); others (nginx, python) are ready once their port accepts.
 * Its output goes to a queue, so it never blocks on a full pipe.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final Pattern HISTOGRAM_ROW =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

  private final String name;
  private final Process process;
  private final boolean sideChannel;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private String readyLine;

  private ServerProcess(String name, Process process, boolean sideChannel) {
    this.name = name;
    this.process = process;
    this.sideChannel = sideChannel;
  }

  /** Starts one of our servers and waits (at most 60 s) for its READY line. */
  public static ServerProcess start(String name, List<String> command)
      throws IOException, InterruptedException {
    return start(name, command, true, ServerProcess::awaitReady);
  }

  /**
   * Starts any server and waits (at most 60 s) until 127.0.0.1:{@code port} accepts.
   *
   * @param sideChannel whether the process answers {@code ALLOC} on stdin
   */
  public static ServerProcess startListening(
      String name, List<String> command, int port, boolean sideChannel)
      throws IOException, InterruptedException {
    return start(name, command, sideChannel, server -> server.awaitListening(port));
  }

  private interface Readiness {
    void await(ServerProcess server) throws IOException, InterruptedException;
  }

  private static ServerProcess start(
      String name, List<String> command, boolean sideChannel, Readiness readiness)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    var server = new ServerProcess(name, p, sideChannel);
    Thread.ofPlatform().daemon().name("server-output-" + name).start(server::pump);
    try {
      readiness.await(server);
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void pump() {
    try (var reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The process ended.
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    var before = new StringBuilder();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("READY ")) {
        readyLine = line;
        return;
      }
      if (line != null) {
        before.append(line).append('\n');
      } else if (!process.isAlive()) {
        throw new IOException(
            name + " exited with " + process.exitValue() + " before READY: " + before + drain());
      }
    }
    throw new IOException(name + " printed no READY in 60 s: " + before + drain());
  }

  private void awaitListening(int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            name + " exited with " + process.exitValue() + " before listening: " + drain());
      }
      try (var s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IOException(name + " is not listening on " + port + " after 60 s: " + drain());
  }

  /** The READY line the server printed. */
  public String readyLine() {
    return readyLine;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The process and its descendants (nginx's workers), to record for cleanup. */
  public List<Long> pids() {
    return Stream.concat(Stream.of(process.pid()), process.descendants().map(ProcessHandle::pid))
        .toList();
  }

  /** CPU ticks (user and system) of the process and its workers so far. */
  public ProcStats.Ticks cpuTicks() {
    return ProcStats.ticksWithChildren(process.pid());
  }

  /**
   * Heap bytes the JVM allocated so far (all threads), through the side channel; empty without one,
   * or once the process is gone.
   */
  public OptionalLong allocatedBytes() throws IOException, InterruptedException {
    if (!sideChannel || !process.isAlive()) {
      return OptionalLong.empty();
    }
    OutputStream in = process.getOutputStream();
    in.write("ALLOC\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("ALLOC ")) {
        return OptionalLong.of(Long.parseLong(line.substring(6).trim()));
      }
    }
    throw new IOException(name + " did not answer ALLOC within 10 s");
  }

  /**
   * The server's memory after two full collections ({@code jcmd GC.run}, as in the echo benchmark's
   * idle test): {@code [RSS bytes, heap used bytes]}.
   */
  public long[] memoryAfterGc(String java) throws IOException, InterruptedException {
    jcmd(java, "GC.run");
    Thread.sleep(1000);
    jcmd(java, "GC.run");
    Thread.sleep(1000);
    Matcher h = HEAP_USED.matcher(jcmd(java, "GC.heap_info"));
    long heapUsed = h.find() ? Long.parseLong(h.group(1)) * 1024 : -1;
    Matcher r = VM_RSS.matcher(Files.readString(Path.of("/proc/" + pid() + "/status")));
    long rss = r.find() ? Long.parseLong(r.group(1)) * 1024 : -1;
    return new long[] {rss, heapUsed};
  }

  /**
   * The server's live heap by class ({@code jcmd GC.class_histogram}, which collects first): class
   * name to {@code [instances, bytes]}. Two of them, before and after, show what a connection
   * holds.
   */
  public Map<String, long[]> classHistogram(String java) throws IOException, InterruptedException {
    var histogram = new HashMap<String, long[]>();
    for (String line : jcmd(java, "GC.class_histogram").split("\n")) {
      Matcher m = HISTOGRAM_ROW.matcher(line);
      if (m.find()) {
        histogram.put(
            m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      }
    }
    return histogram;
  }

  /**
   * The classes whose live bytes grew most from {@code before} to {@code after}, one line each:
   * bytes and instances per {@code per} (e.g. per connection), largest first.
   */
  public static List<String> histogramGrowth(
      Map<String, long[]> before, Map<String, long[]> after, int per, int top) {
    return after.entrySet().stream()
        .map(
            e -> {
              long[] b = before.getOrDefault(e.getKey(), new long[2]);
              return Map.entry(
                  e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
            })
        .filter(e -> e.getValue()[1] > 0)
        .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
        .limit(top)
        .map(
            e ->
                String.format(
                    "%8.1f B %6.2f objs  %s",
                    (double) e.getValue()[1] / per, (double) e.getValue()[0] / per, e.getKey()))
        .toList();
  }

  private String jcmd(String java, String command) throws IOException, InterruptedException {
    String jcmd = Path.of(java).resolveSibling("jcmd").toString();
    Process p =
        new ProcessBuilder(jcmd, Long.toString(pid()), command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return text;
  }

  /** Threads of the process now. */
  public long threads() {
    try (var s = Files.list(Path.of("/proc/" + pid() + "/task"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** What the process printed and nobody read yet. */
  public String drain() {
    var sb = new StringBuilder();
    String line;
    while ((line = lines.poll()) != null) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  /** SIGTERM (SIGKILL after 15 s) to the process, then SIGKILL to any worker it left behind. */
  @Override
  public void close() {
    List<ProcessHandle> workers = process.descendants().toList();
    try {
      ProcStats.stop(process);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
