package dev.wharf.cli.logging;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;

/**
 * java.util.logging's configuration for the command, named by {@code
 * java.util.logging.config.class} (Main sets it unless the user named a configuration): records of
 * INFO and above, each through a {@link StderrLines} handler. Instead of the JDK's default
 * (logging.properties: a ConsoleHandler with a SimpleFormatter), whose formatter looks up the time
 * zone and parses its format at start, and walks the stack for each record's source, none of which
 * a line without time or source needs: 10-20 ms of a server's start (issue 16).
 */
public final class LoggingConfig {
  static final String PROPERTIES = "handlers=" + StderrLines.class.getName() + "\n.level=INFO\n";

  /** Called by the LogManager as it initializes (java.util.logging.config.class). */
  public LoggingConfig() throws IOException {
    LogManager.getLogManager()
        .readConfiguration(
            new ByteArrayInputStream(PROPERTIES.getBytes(StandardCharsets.ISO_8859_1)));
  }
}
