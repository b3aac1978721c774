package dev.wharf.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CapturedLogTest {
  /** Logs as production code does, through System.Logger, under its own name. */
  private static final class Source {
    static final System.Logger LOG = System.getLogger(Source.class.getName());
  }

  /** What reaches the logger's handlers: what the console would have printed. */
  private final List<LogRecord> printed = new ArrayList<>();

  private final Handler recorder =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          printed.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private final Logger julLogger = Logger.getLogger(Source.class.getName());

  @BeforeEach
  void recordInsteadOfPrinting() {
    julLogger.addHandler(recorder);
    julLogger.setUseParentHandlers(false);
  }

  @AfterEach
  void restore() {
    julLogger.removeHandler(recorder);
    julLogger.setUseParentHandlers(true);
  }

  @Test
  void takesTheExpectedRecordAndLetsOthersThrough() {
    try (var log =
        CapturedLog.expect(
            Source.class, java.util.logging.Level.WARNING, IllegalStateException.class)) {
      Source.LOG.log(Level.WARNING, "expected", new IllegalStateException("bug"));
      Source.LOG.log(Level.WARNING, "another type", new IllegalArgumentException("other"));
      Source.LOG.log(Level.ERROR, "another level", new IllegalStateException("bug"));
      Source.LOG.log(Level.WARNING, "no exception");

      assertThat(log.records()).extracting(LogRecord::getMessage).containsExactly("expected");
    }
    assertThat(printed)
        .extracting(LogRecord::getMessage)
        .containsExactly("another type", "another level", "no exception");
  }

  @Test
  void withoutAnExceptionTypeTakesEveryRecordAtThatLevel() {
    try (var log = CapturedLog.expect(Source.class, java.util.logging.Level.INFO)) {
      Source.LOG.log(Level.INFO, "plain");
      Source.LOG.log(Level.INFO, "with a cause", new IllegalStateException());
      Source.LOG.log(Level.WARNING, "louder");

      assertThat(log.records())
          .extracting(LogRecord::getMessage)
          .containsExactly("plain", "with a cause");
    }
    assertThat(printed).extracting(LogRecord::getMessage).containsExactly("louder");
  }

  @Test
  void afterCloseRecordsAreNoLongerTaken() {
    try (var log = CapturedLog.expect(Source.class, java.util.logging.Level.WARNING)) {
      Source.LOG.log(Level.WARNING, "inside");
      assertThat(log.records()).hasSize(1);
    }
    Source.LOG.log(Level.WARNING, "after");
    assertThat(printed).extracting(LogRecord::getMessage).containsExactly("after");
    assertThat(julLogger.getFilter()).isNull();
  }

  @Test
  void awaitWaitsForARecordFromAnotherThread() throws Exception {
    try (var log =
        CapturedLog.expect(
            Source.class, java.util.logging.Level.WARNING, IllegalStateException.class)) {
      Thread logger =
          Thread.ofPlatform()
              .start(() -> Source.LOG.log(Level.WARNING, "late", new IllegalStateException("bug")));
      assertThat(log.await(Duration.ofSeconds(10)).getMessage()).isEqualTo("late");
      logger.join();
    }
  }

  @Test
  void awaitFailsWhenTheExpectedRecordNeverComes() {
    try (var log =
        CapturedLog.expect(
            Source.class, java.util.logging.Level.WARNING, IllegalStateException.class)) {
      Source.LOG.log(Level.WARNING, "not it", new IllegalArgumentException());
      assertThatThrownBy(() -> log.await(Duration.ofMillis(50)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("WARNING record(s) with java.lang.IllegalStateException")
          .hasMessageContaining("took 0");
    }
    assertThat(printed).extracting(LogRecord::getMessage).containsExactly("not it");
  }
}
