package dev.wharf.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command's log lines: one per record, on the stderr the handler was made with. */
class StderrLinesTest {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream stderr;
  private StderrLines handler;

  @BeforeEach
  void captureStderr() {
    stderr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    handler = new StderrLines();
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(stderr);
  }

  private String lines() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aRecordIsOneLineWithItsLevelAndItsParametersFilledIn() {
    var record = new LogRecord(Level.WARNING, "broker {0} unreachable after {1} s");
    record.setParameters(new Object[] {"redis://x", 1.5});
    record.setThrown(new IOException("refused")); // said in words by the message, not traced

    handler.publish(record);
    handler.publish(new LogRecord(Level.INFO, "back"));

    assertThat(lines())
        .isEqualTo(
            "wharf: WARNING: broker redis://x unreachable after 1.5 s"
                + System.lineSeparator()
                + "wharf: INFO: back"
                + System.lineSeparator());
  }

  @Test
  void belowInfoIsLeftOut() {
    handler.publish(new LogRecord(Level.FINE, "detail"));
    handler.publish(new LogRecord(Level.CONFIG, "detail"));

    assertThat(lines()).isEmpty();
  }

  @Test
  void aMessageThatCannotBeFormattedIsReportedNotThrown() {
    var errors = new java.util.ArrayList<Integer>();
    handler.setErrorManager(
        new java.util.logging.ErrorManager() {
          @Override
          public synchronized void error(String msg, Exception ex, int code) {
            errors.add(code);
          }
        });
    var record = new LogRecord(Level.SEVERE, "broken");
    handler.setFormatter(
        new java.util.logging.Formatter() {
          @Override
          public String format(LogRecord r) {
            throw new IllegalStateException("broken formatter");
          }
        });

    handler.publish(record);

    assertThat(errors).containsExactly(java.util.logging.ErrorManager.FORMAT_FAILURE);
    assertThat(lines()).isEmpty();
  }

  @Test
  void theConfigurationNamesThisHandlerAtInfo() {
    assertThat(LoggingConfig.PROPERTIES)
        .contains("handlers=" + StderrLines.class.getName() + "\n")
        .contains(".level=INFO\n");
  }
}
