package dev.wharf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** CPU time of processes and of the machine, from /proc, and stopping the processes we started. */
public final class ProcStats {
  /** USER_HZ on Linux x86-64: the unit of the times in /proc/PID/stat and /proc/stat. */
  public static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** utime + stime of a process (all its threads), in clock ticks; -1 if it is gone. */
  public static long cpuTicks(long pid) {
    return ticks(pid, true);
  }

  /** utime of a process (all its threads), in clock ticks; -1 if it is gone. */
  public static long userTicks(long pid) {
    return ticks(pid, false);
  }

  private static long ticks(long pid, boolean withSystem) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + (withSystem ? Long.parseLong(f[12]) : 0);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * utime of a process and of its live descendants, in clock ticks (as {@link
   * #cpuTicksWithChildren}).
   */
  public static long userTicksWithChildren(long pid) {
    return withChildren(pid, false);
  }

  /**
   * utime + stime of a process and of its live descendants (nginx's workers), in clock ticks.
   * Descendants that exited during a window are not counted: every server here keeps its workers.
   */
  public static long cpuTicksWithChildren(long pid) {
    return withChildren(pid, true);
  }

  private static long withChildren(long pid, boolean withSystem) {
    long total = 0;
    for (long p : withDescendants(pid)) {
      long t = ticks(p, withSystem);
      if (t > 0) {
        total += t;
      }
    }
    return total;
  }

  private static List<Long> withDescendants(long root) {
    var all = new ArrayList<Long>(List.of(root));
    // Breadth first over the parent links in /proc; bounded by the number of processes.
    for (int i = 0; i < all.size() && i < 10_000; i++) {
      long parent = all.get(i);
      ProcessHandle.of(parent).ifPresent(h -> h.children().forEach(child -> all.add(child.pid())));
    }
    return all;
  }

  /** Busy clock ticks of the whole machine (all cores), from /proc/stat. */
  public static long hostBusyTicks() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal
        busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** SIGTERM, then SIGKILL after 15 s; waits for the end. */
  public static void stop(Process p) throws InterruptedException {
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    if (!p.waitFor(15, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
