package dev.wharf.bench.load;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The loop every load generator runs: one selector whose keys carry {@link Endpoint}s, the {@link
 * TimedWindows} clock (warmup, then windows, each ending in one RESULT line), and the counters of a
 * window: the work done ({@link #completed}: messages, connections, handshakes, each with its
 * latency), the bytes received ({@link #received}) and the errors (every failed connection, for the
 * whole run). An endpoint that throws is counted as an error and closed; the load goes on.
 *
 * <p>Not thread-safe: the generator's one thread owns it and everything on its selector.
 */
public final class LoadLoop implements AutoCloseable {
  private static final long SELECT_MILLIS = 50;

  /** What a selection key carries: one connection of the load. */
  public interface Endpoint {
    /** Its key was selected: does what can be done without blocking; throws if it failed. */
    void ready() throws IOException;

    /** Closes it at once; idempotent. */
    void close();
  }

  /** What runs before each turn of the loop (a {@link Churn} keeps its connections going). */
  public interface Turn {
    void beforeSelect(LoadLoop loop);
  }

  /** A window's figures, turned into the generator's RESULT line. */
  public interface ResultLine {
    String of(Window window);
  }

  /** The figures of the window that has just closed. */
  public record Window(int rep, double secs, long count, long bytes, String latency, long errors) {

    /**
     * {@code RESULT mode=M rep=R PARAMS secs=S NAME=N NAMEPerSec=X EXTRA LATENCY errors=E}, the
     * line {@link dev.wharf.bench.GeneratorWindows} reads: {@code NAME} counts the work ({@code
     * msgs}, {@code conns}, {@code handshakes}); {@code extra} (empty, or starting with a space)
     * adds throughput, e.g. {@link #mbPerSec}.
     */
    public String result(String mode, String params, String name, String extra) {
      return String.format(
          Locale.ROOT,
          "RESULT mode=%s rep=%d %s secs=%.3f %s=%d %sPerSec=%.1f%s %s errors=%d",
          mode,
          rep,
          params,
          secs,
          name,
          count,
          name,
          count / secs,
          extra,
          latency,
          errors);
    }

    /** {@code " mbPerSec=M"}: {@code bytes} in the window, 10^6 bytes per second. */
    public String mbPerSec(double bytes) {
      return String.format(Locale.ROOT, " mbPerSec=%.2f", bytes / secs / 1e6);
    }
  }

  private final Selector selector;
  private final TimedWindows windows;
  private final Consumer<String> out;
  private long count;
  private long bytes;
  private long errors;

  public LoadLoop(LoadOptions options, Consumer<String> out) throws IOException {
    this.selector = Selector.open();
    this.windows = options.windows(out);
    this.out = out;
  }

  /** Prints {@code line} to standard output at once: the runner reads it as it comes. */
  public static void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  public Selector selector() {
    return selector;
  }

  /**
   * One unit of work (a message echoed, a connection served) that began at {@code since} has ended
   * at {@code now}: counted, and its latency recorded if a window is open.
   */
  public void completed(long since, long now) {
    windows.record(since, now);
    count++;
  }

  /** Counts {@code n} bytes received in the window. */
  public void received(long n) {
    bytes += n;
  }

  /** Counts an error and says what happened. */
  public void error(String what) {
    errors++;
    out.accept("WARN " + what);
  }

  /**
   * Runs the warmup from {@code start} and then every window, calling {@code turn} before each turn
   * and printing {@code result} when a window closes; then closes every endpoint, prints {@code
   * DONE errors=N} and returns the errors. {@code load} describes the load on the PHASE line.
   */
  public long run(long start, String load, Turn turn, ResultLine result) throws IOException {
    windows.start(start, load);
    while (true) {
      turn.beforeSelect(this);
      long now = System.nanoTime();
      if (windows.due(now)) {
        if (windows.measuring()) {
          out.accept(
              result.of(
                  new Window(
                      windows.rep(),
                      windows.seconds(now),
                      count,
                      bytes,
                      windows.latency(),
                      errors)));
        }
        if (!windows.next(now)) {
          break;
        }
        count = 0;
        bytes = 0;
      }
      selectAndDrive();
    }
    closeEndpoints();
    out.accept("DONE errors=" + errors);
    return errors;
  }

  /**
   * Runs the selector, untimed and before {@link #run}, until {@code done} says so; throws if that
   * takes over {@code seconds}.
   */
  public void runUntil(BooleanSupplier done, double seconds) throws IOException {
    long deadline = System.nanoTime() + TimedWindows.nanos(seconds);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IOException("not ready in " + seconds + " s");
      }
      selectAndDrive();
    }
  }

  private void selectAndDrive() throws IOException {
    selector.select(SELECT_MILLIS);
    var ready = selector.selectedKeys();
    for (SelectionKey key : ready) {
      if (key.isValid()) {
        drive((Endpoint) key.attachment());
      }
    }
    ready.clear();
  }

  /**
   * Lets {@code endpoint} do what it can now, as when its key is selected; if it fails, counts an
   * error and closes it.
   */
  public void drive(Endpoint endpoint) {
    try {
      endpoint.ready();
    } catch (IOException | RuntimeException e) {
      error("connection failed: " + e);
      endpoint.close();
    }
  }

  /** Closes every endpoint still on the selector, and the selector. */
  @Override
  public void close() throws IOException {
    closeEndpoints();
    selector.close();
  }

  private void closeEndpoints() {
    for (SelectionKey key : selector.keys()) {
      ((Endpoint) key.attachment()).close();
    }
  }
}
