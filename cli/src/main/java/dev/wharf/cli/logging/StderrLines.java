package dev.wharf.cli.logging;

import java.io.PrintStream;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Writes each log record as one line on stderr, {@code wharf: LEVEL: message} (the message
 * localized and its parameters filled in as java.util.logging does), as the JDK's ConsoleHandler
 * did with the format Main gave its SimpleFormatter: the stream is the one stderr was when the
 * handler was made, each line flushed at once. No stack trace: a line says what happened, in words.
 */
public final class StderrLines extends Handler {
  private final PrintStream err = System.err;

  /** Called by the LogManager for {@link LoggingConfig}'s {@code handlers} property. */
  public StderrLines() {
    setLevel(Level.INFO);
    setFormatter(new OneLine());
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    String line;
    try {
      line = getFormatter().format(record);
    } catch (RuntimeException e) {
      reportError(null, e, ErrorManager.FORMAT_FAILURE);
      return;
    }
    synchronized (err) {
      err.print(line);
      err.flush();
    }
  }

  @Override
  public void flush() {
    err.flush();
  }

  @Override
  public void close() {
    flush();
  }

  /** {@code wharf: LEVEL: message}, as the one line of a record. */
  static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      return "wharf: "
          + record.getLevel().getLocalizedName()
          + ": "
          + formatMessage(record)
          + System.lineSeparator();
    }
  }
}
