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

  private static final class Buffered extends PrintWriter {
    private final PrintWriter stdout;

    Buffered(PrintWriter stdout) {
      super(new BufferedWriter(stdout, CHARS), false);
      this.stdout = stdout;
    }

    /**
     * Also asks {@code System.out}: picocli's stdout writes through it, and a {@code PrintStream}
     * keeps a closed pipe's error to itself.
     */
    @Override
    public boolean checkError() {
      return super.checkError() || stdout.checkError() || System.out.checkError();
    }
  }
}
