package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.CapturedLog;
import java.util.logging.Level;
import java.util.logging.LogManager;
import org.junit.jupiter.api.Test;

class LazyLoggerTest {
  /** Classes only to name loggers no other test uses. */
  private static final class NeverLogs {}

  private static final class Logs {}

  @Test
  void theRealLoggerIsLookedUpOnlyWhenFirstUsed() {
    String name = NeverLogs.class.getName();
    System.Logger lazy = LazyLogger.of(NeverLogs.class);

    assertThat(lazy.getName()).isEqualTo(name);
    assertThat(LogManager.getLogManager().getLogger(name))
        .as("java.util.logging's logger before any use")
        .isNull();

    assertThat(lazy.isLoggable(System.Logger.Level.TRACE)).isFalse();
    assertThat(LogManager.getLogManager().getLogger(name))
        .as("java.util.logging's logger once used")
        .isNotNull();
  }

  @Test
  void itsLinesGoWhereSystemGetLoggersGo() {
    System.Logger lazy = LazyLogger.of(Logs.class);
    try (var log = CapturedLog.expect(Logs.class, Level.WARNING)) {
      lazy.log(System.Logger.Level.WARNING, "one {0} line", "formatted");
      lazy.log(System.Logger.Level.WARNING, "with a cause", new IllegalStateException("cause"));
      assertThat(log.messages()).containsExactly("one {0} line", "with a cause");
      assertThat(log.records().get(0).getParameters()).containsExactly("formatted");
      assertThat(log.records().get(1).getThrown()).hasMessage("cause");
    }
  }
}
