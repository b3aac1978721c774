package dev.wharf.channels.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The outage lines an operator reads: plain words, never a Java class name. */
class BrokerOutageTest {
  /** As Jedis wraps a refused connection: its own exception, the cause's toString as message. */
  private static RuntimeException wrapped(Exception cause) {
    return new RuntimeException(cause);
  }

  @Test
  void aRefusedConnectionWrappedByTheClientLibrarySaysConnectionRefused() {
    assertThat(
            BrokerOutage.unreachable(
                "redis://127.0.0.1:6379", wrapped(new ConnectException("Connection refused"))))
        .isEqualTo(
            "broker redis://127.0.0.1:6379 unreachable (connection refused);"
                + " retrying with backoff (0.1 s doubling to 5 s)");
  }

  @Test
  void noClassNameSurvivesInTheReason() {
    assertThat(BrokerOutage.reason(wrapped(new SocketTimeoutException("Read timed out"))))
        .isEqualTo("read timed out");
    assertThat(BrokerOutage.reason(new RuntimeException("java.net.SocketException: Broken pipe")))
        .isEqualTo("broken pipe");
    assertThat(BrokerOutage.reason(new RuntimeException("Unexpected end of stream.")))
        .isEqualTo("unexpected end of stream");
    assertThat(BrokerOutage.reason(wrapped(new SocketException())))
        .doesNotContain("Exception")
        .doesNotContain("java.");
  }

  @Test
  void aCauseWithoutWordsIsSaidByWhatHappened() {
    assertThat(BrokerOutage.reason(new EOFException())).isEqualTo("connection closed");
    assertThat(BrokerOutage.reason(new RuntimeException((String) null)))
        .isEqualTo("connection lost");
  }

  @Test
  void theReturnSaysHowLongTheBrokerWasAway() {
    assertThat(BrokerOutage.reconnected("nats://127.0.0.1:4222", Duration.ofMillis(2_360)))
        .isEqualTo("broker nats://127.0.0.1:4222 reconnected after 2.4 s");
  }
}
