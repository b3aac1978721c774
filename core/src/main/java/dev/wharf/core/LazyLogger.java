package dev.wharf.core;

import java.util.ResourceBundle;

/**
 * A {@link System.Logger} that asks {@link System#getLogger(String)} for the real one when it is
 * first used: to log a line, or to ask whether a level is logged.
 *
 * <p>Why: {@code System.getLogger}, called from a module that is not the JDK's, finds the logging
 * back end at once, and finding it means a {@code ServiceLoader} search of every jar on the module
 * path, each opened to look for a provider (the signed 9 MB BouncyCastle jar most of all): 50 to 70
 * ms of CPU at the start of every {@code wharf} command whose classes keep a logger, though most
 * runs never log a line. Wharf's classes keep one of these in their logger field instead.
 *
 * <p>The real logger is the one {@code System.getLogger} gives for the same name, so where lines go
 * and what a test's {@code CapturedLog} takes are unchanged; only the moment it is looked up moves.
 *
 * <p>Thread-safe: two threads that use it first at once may both look it up, and get the same
 * logger.
 */
public final class LazyLogger implements System.Logger {
  private final String name;
  private volatile System.Logger logger;

  private LazyLogger(String name) {
    this.name = name;
  }

  /** The logger named after {@code source}, as {@code System.getLogger(source.getName())}. */
  public static System.Logger of(Class<?> source) {
    return new LazyLogger(source.getName());
  }

  private System.Logger logger() {
    System.Logger known = logger;
    if (known == null) {
      known = System.getLogger(name);
      logger = known;
    }
    return known;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean isLoggable(Level level) {
    return logger().isLoggable(level);
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
    logger().log(level, bundle, message, thrown);
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    logger().log(level, bundle, format, params);
  }
}
