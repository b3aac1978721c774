package dev.wharf.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Takes everything the engine logs under {@code dev.wharf.core} while open and, with {@link
 * #coreFailing}, fails every publish as a logger out of file descriptors does: its formatter loads
 * the time-zone rules on first use, and throws an {@link Error} when it cannot open them. For
 * LoopSurvivesIT, whose failures come from several classes at once; a test expecting one record
 * from one class takes {@link dev.wharf.core.testing.CapturedLog} instead.
 */
final class FaultyLog implements AutoCloseable {
  private final Logger logger; // Held: java.util.logging keeps loggers only weakly.
  private final boolean parentHandlers;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler;

  private FaultyLog(String name, boolean failing) {
    this.logger = Logger.getLogger(name);
    this.parentHandlers = logger.getUseParentHandlers();
    this.handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
            if (failing) {
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
  }

  /** Captures everything logged under {@code dev.wharf.core}. */
  static FaultyLog core() {
    return new FaultyLog("dev.wharf.core", false);
  }

  /**
   * Captures, and throws an {@link Error} out of every log call as a logger short of descriptors.
   */
  static FaultyLog coreFailing() {
    return new FaultyLog("dev.wharf.core", true);
  }

  List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(parentHandlers);
  }
}
