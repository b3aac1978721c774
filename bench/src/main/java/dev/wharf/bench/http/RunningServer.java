package dev.wharf.bench.http;

import dev.wharf.bench.ProcStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One server process under test: started pinned to its core, ready once its port accepts, its
 * output kept in a queue (so it never blocks on a full pipe and the runner can read side-channel
 * answers), stopped with SIGTERM then SIGKILL.
 */
final class RunningServer implements AutoCloseable {
  private final String name;
  private final Process process;
  private final int port;
  private final boolean sideChannel;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private RunningServer(String name, Process process, int port, boolean sideChannel) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.sideChannel = sideChannel;
  }

  /**
   * Starts {@code command} and waits (at most 60 s) until 127.0.0.1:{@code port} accepts.
   *
   * @param sideChannel whether the process answers {@code ALLOC} on stdin ({@link ServerControl})
   */
  static RunningServer start(String name, List<String> command, int port, boolean sideChannel)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    var server = new RunningServer(name, p, port, sideChannel);
    Thread.ofPlatform().daemon().name("server-output-" + name).start(server::pump);
    try {
      server.awaitListening();
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

  private void awaitListening() throws IOException, InterruptedException {
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

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The process and its descendants (nginx's workers), to record for cleanup. */
  List<Long> pids() {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(process.pid()),
            process.descendants().map(ProcessHandle::pid))
        .toList();
  }

  /** CPU ticks of the process and its workers so far. */
  long cpuTicks() {
    return ProcStats.cpuTicksWithChildren(process.pid());
  }

  /** Heap bytes the JVM allocated so far, through the side channel; empty without one. */
  OptionalLong allocatedBytes() throws IOException, InterruptedException {
    if (!sideChannel) {
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

  /** What the process printed and nobody read yet. */
  String drain() {
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
