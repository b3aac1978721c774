package dev.wharf.cli.io;

import java.io.BufferedWriter;
import java.io.PrintWriter;

/**
 * Many lines, few writes: a writer over a command's stdout that gathers its lines until it is
 * flushed.
 *
 * <p>Why: picocli's stdout is a {@code PrintWriter} that flushes on every {@code println}, one
 * {@code write(2)} a line. A table of thousands of sockets or ports then costs thousands of system
 * calls, and a reader on the other end of a pipe wakes as often. Commands that print a table or a
 * report write it here and flush once at its end; commands that follow something live flush after
 * each round of events, so a reader still sees each round at once.
 */
public final class BufferedLines {
  /** Large enough for a screenful of wide rows; a longer table goes out in pieces this big. */
  private static final int CHARS = 64 * 1024;

  private BufferedLines() {}

  /**
   * A writer that buffers until {@link PrintWriter#flush()}, which also flushes {@code out}. Its
   * {@link PrintWriter#checkError()} tells a write error of {@code out} or of the process's stdout
   * (a closed pipe), which a plain writer over a writer would hide.
   */
  public static PrintWriter over(PrintWriter out) {
    return new Buffered(out);
  }

  /**
   * Whether writing to {@code out}, a command's stdout, has failed (a closed pipe): asks {@code
   * System.out} too, since picocli's writer writes through that {@code PrintStream}, which keeps
   * the error to itself. Flushes {@code out} first, as {@link PrintWriter#checkError()} does.
   */
  public static boolean closed(PrintWriter out) {
    return out.checkError() || System.out.checkError();
  }

  private static final class Buffered extends PrintWriter {
    private final PrintWriter stdout;

    Buffered(PrintWriter stdout) {
      super(new BufferedWriter(stdout, CHARS), false);
      this.stdout = stdout;
    }

    @Override
    public boolean checkError() {
      return super.checkError() || closed(stdout);
    }
  }
}
