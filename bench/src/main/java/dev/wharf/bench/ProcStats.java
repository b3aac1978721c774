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

  /** CPU time in clock ticks: user mode (utime) and system mode (stime). */
  public record Ticks(long user, long system) {
    public long total() {
      return user + system;
    }
  }

  /** utime + stime of a process (all its threads), in clock ticks; -1 if it is gone. */
  public static long cpuTicks(long pid) {
    Ticks t = ticks(pid);
    return t == null ? -1 : t.total();
  }

  /** A process's CPU (all its threads), from one read of its stat; null if it is gone. */
  private static Ticks ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new Ticks(Long.parseLong(f[11]), Long.parseLong(f[12]));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The CPU of a process and of its live descendants (nginx's workers), in clock ticks. Descendants
   * that exited during a window are not counted: every server here keeps its workers.
   */
  public static Ticks ticksWithChildren(long pid) {
    long user = 0;
    long system = 0;
    for (long p : withDescendants(pid)) {
      Ticks t = ticks(p);
      if (t != null) {
        user += t.user();
        system += t.system();
      }
    }
    return new Ticks(user, system);
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
