package dev.wharf.cli;

import dev.wharf.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, on one page, in a process group of its own ({@code setsid}) so that
 * {@link #close} ends every process it started (browser, zygotes, renderers, GPU and network
 * services), not only the one we spawned. Its profile and its temporary files live in directories
 * the caller owns and removes.
 */
public final class HeadlessChromium {
  private final Process process;
  private final long group;
  private final Path log;
  private final Path profile;

  private HeadlessChromium(Process process, long group, Path log, Path profile) {
    this.process = process;
    this.group = group;
    this.log = log;
    this.profile = profile;
  }

  /**
   * Opens {@code url}; Chromium's own output goes to {@code log}, its temporary files to a
   * directory beside {@code profile}.
   */
  public static HeadlessChromium open(String url, Path profile, Path log)
      throws IOException, InterruptedException {
    return open(url, profile, log, List.of());
  }

  /**
   * A blank page for {@link DevTools} to drive: the profile is {@code dir/chromium-profile} (what
   * {@link DevTools#attach} reads the debugging port from), the log {@code dir/chromium.log}, and
   * the debugging port one the system picks, on loopback only.
   */
  public static HeadlessChromium forDevTools(Path dir) throws IOException, InterruptedException {
    return open(
        "about:blank",
        Files.createDirectory(dir.resolve("chromium-profile")),
        dir.resolve("chromium.log"),
        List.of("--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1"));
  }

  /** As {@link #open(String, Path, Path)}, with more of Chromium's flags. */
  public static HeadlessChromium open(String url, Path profile, Path log, List<String> flags)
      throws IOException, InterruptedException {
    // Chromium puts its singleton socket in a new directory under TMPDIR and links to it from the
    // profile; killed, it leaves that directory behind. Beside the profile it goes with it.
    Path tmp = Files.createDirectories(profile.resolveSibling(profile.getFileName() + "-tmp"));
    List<String> command =
        new ArrayList<>(
            List.of(
                "setsid",
                "/usr/bin/chromium",
                "--headless",
                "--no-sandbox", // root in a container: the sandbox cannot start
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                // Nothing but the page: no updates, sync, pings or metrics go anywhere, and every
                // host name but our 127.0.0.1 fails to resolve.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--no-pings",
                "--disable-domain-reliability",
                "--disable-breakpad",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"));
    command.addAll(flags);
    command.add(url);
    var builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("TMPDIR", tmp.toString());
    Process process = builder.start();
    // setsid runs Chromium in place when it is not a group leader (a child of ours is not), so
    // the process we started leads the new group once setsid has run: wait for that.
    // /proc has nothing to block on; poll briefly.
    Await.within(Duration.ofSeconds(10), () -> leadsItsGroup(process) || !process.isAlive());
    if (!leadsItsGroup(process)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "setsid did not make Chromium a group leader (alive: " + process.isAlive() + ")");
    }
    return new HeadlessChromium(process, process.pid(), log, profile);
  }

  /** Its user data directory ({@code --user-data-dir}). */
  public Path profile() {
    return profile;
  }

  /** Waits until {@code file} exists or Chromium exits or the time is up; true if it exists. */
  public boolean awaitFile(Path file, long seconds) {
    Await.within( // A file has nothing to block on; poll.
        Duration.ofSeconds(seconds),
        Duration.ofMillis(50),
        () -> Files.exists(file) || !process.isAlive());
    return Files.exists(file);
  }

  private static boolean leadsItsGroup(Process process) {
    return processGroup(process.pid()).orElse(-1) == process.pid();
  }

  /** The last lines Chromium printed, for a failure message. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Ends every process of Chromium's group and waits until none is left. */
  public void stop() throws InterruptedException {
    boolean ended =
        Await.within(
            Duration.ofSeconds(20),
            () -> {
              List<ProcessHandle> left = members();
              if (left.isEmpty()) {
                return true;
              }
              left.forEach(ProcessHandle::destroyForcibly);
              process.waitFor(100, TimeUnit.MILLISECONDS); // reaps our own child; the rest: init
              return false;
            });
    if (!ended) {
      throw new AssertionError("Chromium processes still running: " + members());
    }
    process.waitFor(5, TimeUnit.SECONDS);
  }

  /** The live processes of Chromium's group (zombies waiting for init count as gone). */
  public List<ProcessHandle> members() {
    return ProcessHandle.allProcesses()
        .filter(p -> processGroup(p.pid()).orElse(-1) == group && !isZombie(p.pid()))
        .toList();
  }

  /** A process's group, from /proc/PID/stat: the fifth field, counted after the name's ")". */
  public static OptionalLong processGroup(long pid) {
    String[] fields = statFields(pid);
    return fields == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(fields[2]));
  }

  private static boolean isZombie(long pid) {
    String[] fields = statFields(pid);
    return fields == null || fields[0].equals("Z") || fields[0].equals("X");
  }

  /** The fields of /proc/PID/stat after "pid (name) ": state, ppid, pgrp, ...; null if gone. */
  private static String[] statFields(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (IOException | RuntimeException e) {
      return null; // It ended while we looked.
    }
  }
}
