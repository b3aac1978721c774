package dev.wharf.bench.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * What a benchmark server process does around its server: prints {@code READY <impl> <port> <pid>}
 * once bound, answers the side channel on stdin, and runs until SIGTERM (or Ctrl-C).
 *
 * <p>The side channel keeps measurement off the measured port and event loops: a line {@code ALLOC}
 * on stdin is answered on stdout with {@code ALLOC <bytes>}, the heap bytes allocated by all
 * threads of the JVM so far ({@code com.sun.management.ThreadMXBean}). The runner asks before and
 * after a load window and divides the difference by the requests served. End of stdin just ends the
 * channel (a server started from a terminal or with {@code </dev/null} keeps running).
 */
public final class ServerControl {
  /** Starts the server a main's parsed command line asks for. */
  public interface Starter {
    BoundServer start(ServerArgs args) throws Exception;
  }

  private ServerControl() {}

  /**
   * The whole of a server main: parses {@code argv} by {@code spec} (on a mistake, prints the
   * reason and the usage on one line and exits with 2), starts the server and runs it until
   * stopped.
   */
  public static void main(String[] argv, ServerArgs.Spec spec, Starter starter) throws Exception {
    ServerArgs args = null;
    try {
      args = ServerArgs.parse(argv, spec);
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      String why =
          e instanceof ArrayIndexOutOfBoundsException ? "a flag lacks its value" : e.getMessage();
      System.err.println(why + "; usage: " + spec.usage());
      System.exit(2);
    }
    runUntilStopped(args.impl(), starter.start(args));
  }

  /** Prints READY, serves the side channel, and blocks until the JVM shuts down. */
  public static void runUntilStopped(String impl, BoundServer server) throws InterruptedException {
    var done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.stop().run();
                  } finally {
                    done.countDown();
                  }
                }));
    System.out.println("READY " + impl + " " + server.port() + " " + ProcessHandle.current().pid());
    System.out.flush();
    Thread.ofPlatform().daemon().name("bench-side-channel").start(ServerControl::sideChannel);
    done.await();
  }

  private static void sideChannel() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.trim().equals("ALLOC")) {
          System.out.println("ALLOC " + threads.getTotalThreadAllocatedBytes());
        } else {
          System.out.println("UNKNOWN " + line);
        }
        System.out.flush();
      }
    } catch (IOException e) {
      // stdin is gone: nothing more to answer.
    }
  }
}
