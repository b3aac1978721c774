package dev.wharf.cli.packets;

/**
 * What a ping (ours or iputils') printed on stdout, and its exit code: PingIT's and PingVethIT's.
 */
record PingRun(int exit, String out) {

  /** The output with the times (which differ run to run) masked, with the exit code. */
  static String timeless(PingRun run) {
    return "exit "
        + run.exit()
        + "\n"
        + run.out()
            .replaceAll("time=[\\d.]+ ms", "time=T ms")
            .replaceAll("time \\d+ms", "time Tms")
            .replaceAll("mdev = [\\d./]+ ms", "mdev = T ms");
  }
}
