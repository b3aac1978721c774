package dev.wharf.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Takes the records a test expects a logger to write, so that a test which makes a handler throw on
 * purpose asserts the failure was logged instead of printing its stack trace into the build.
 *
 * <pre>{@code
 * try (var log = CapturedLog.expect(StreamConnection.class, Level.WARNING, IllegalStateException.class)) {
 *   ... make the handler throw ...
 *   log.await(Duration.ofSeconds(10));   // fails the test if the failure was never logged
 * }
 * }</pre>
 *
 * <p>Only the expected records are taken: those from that logger at exactly that level ({@code
 * java.util.logging.Level}) carrying an exception of that type (or, from {@link #expect(Class,
 * Level)}, carrying anything). Every other record goes on to the console as before, so an
 * unexpected failure still shows. The logger is the one {@link System#getLogger(String)} writes to
 * through {@code java.util.logging}, named after the class that logs. {@link #close()} puts the
 * logger back as it was.
 *
 * <p>{@link #under(String)} instead takes everything logged under a name (a package and all its
 * classes), for a test whose failures come from several classes at once; {@link
 * #failingUnder(String)} also throws an {@link Error} out of every log call, as a logger out of
 * file descriptors does, to show the engine survives its own logging failing.
 *
 * <p>Thread-safe: records arrive on whichever thread logs them (usually an event loop) while the
 * test thread waits for them.
 */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger; // held strongly: java.util.logging keeps loggers weakly
  private final Level level; // null: every level (under)
  private final Class<? extends Throwable> thrown;
  private final List<LogRecord> records = new ArrayList<>(); // guarded by this
  private final Runnable restore;

  private CapturedLog(Class<?> source, Level level, Class<? extends Throwable> thrown) {
    this.logger = Logger.getLogger(source.getName());
    this.level = level;
    this.thrown = thrown;
    Filter previous = logger.getFilter();
    logger.setFilter(record -> passOn(previous, record));
    this.restore = () -> logger.setFilter(previous);
  }

  /** Takes every record of the logger {@code name} and its children, in place of their handlers. */
  private CapturedLog(String name, boolean failing) {
    this.logger = Logger.getLogger(name);
    this.level = null;
    this.thrown = Throwable.class;
    boolean parentHandlers = logger.getUseParentHandlers();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            take(record);
            if (failing) {
              // What java.util.logging's formatter throws when it cannot load the time-zone rules.
              throw new Error(
                  new java.io.FileNotFoundException("lib/tzdb.dat (Too many open files)"));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
    this.restore =
        () -> {
          logger.removeHandler(handler);
          logger.setUseParentHandlers(parentHandlers);
        };
  }

  /**
   * Takes what {@code source} logs at {@code level} with an exception of type {@code thrown} (or a
   * subtype) until closed.
   */
  public static CapturedLog expect(
      Class<?> source, Level level, Class<? extends Throwable> thrown) {
    return new CapturedLog(source, level, thrown);
  }

  /**
   * Takes what {@code source} logs at {@code level}, with or without an exception, until closed.
   */
  public static CapturedLog expect(Class<?> source, Level level) {
    return new CapturedLog(source, level, Throwable.class);
  }

  /**
   * Takes everything logged under {@code name} (a package: its classes' loggers are its children),
   * at every level, until closed; none of it reaches the console.
   */
  public static CapturedLog under(String name) {
    return new CapturedLog(name, false);
  }

  /**
   * As {@link #under(String)}, and every log call there throws an {@link Error} once its record is
   * taken, as a logger out of file descriptors does.
   */
  public static CapturedLog failingUnder(String name) {
    return new CapturedLog(name, true);
  }

  /** The logger's filter: false drops a record we took; others go on to the console as before. */
  private boolean passOn(Filter previous, LogRecord record) {
    if (previous != null && !previous.isLoggable(record)) {
      return false;
    }
    if (!isExpected(record)) {
      return true;
    }
    take(record);
    return false;
  }

  private synchronized void take(LogRecord record) {
    records.add(record);
    notifyAll();
  }

  private boolean isExpected(LogRecord record) {
    return record.getLevel().equals(level)
        && (thrown == Throwable.class || thrown.isInstance(record.getThrown()));
  }

  /** The messages (unformatted) of the records taken so far, oldest first. */
  public synchronized List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  /** The expected records taken so far, oldest first. */
  public synchronized List<LogRecord> records() {
    return List.copyOf(records);
  }

  /**
   * Waits until an expected record has been taken and returns the first; throws {@link
   * AssertionError} if none came within {@code timeout}.
   */
  public LogRecord await(Duration timeout) {
    return await(1, timeout).getFirst();
  }

  /**
   * Waits until {@code count} expected records have been taken and returns them all; throws {@link
   * AssertionError} if fewer came within {@code timeout}.
   */
  public synchronized List<LogRecord> await(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (records.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting for "
                + count
                + " "
                + (level == null ? "" : level + " ")
                + "record(s) with "
                + thrown.getName()
                + " from "
                + logger.getName()
                + "; took "
                + records.size());
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for a record from " + logger.getName(), e);
      }
    }
    return List.copyOf(records);
  }

  /** Puts the logger back as it was; records logged after this go to the console again. */
  @Override
  public void close() {
    restore.run();
  }
}
