package dev.wharf.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddedConnectionTest {

  /**
   * A line protocol with a deadline: answers each complete line in upper case, and hangs up on a
   * peer that leaves a line unfinished for 5 s.
   */
  static final class ShoutProtocol implements Protocol {
    private final StringBuilder line = new StringBuilder();
    private Cancellable deadline;

    @Override
    public void received(Connection connection, ByteBuffer data) {
      while (data.hasRemaining()) {
        char c = (char) data.get();
        if (c == '\n') {
          connection.write(
              (line.toString().toUpperCase() + "\n").getBytes(StandardCharsets.US_ASCII));
          line.setLength(0);
          deadline.cancel();
          deadline = null;
        } else {
          line.append(c);
          if (deadline == null) {
            deadline =
                connection.schedule(
                    Duration.ofSeconds(5),
                    () -> connection.close(CloseReason.timeout("line too slow")));
          }
        }
      }
    }
  }

  @Test
  void answersTheSameUnderEveryFeed() {
    String input = "hello\nsockets are fun\nbye\n";
    String expected = "HELLO\nSOCKETS ARE FUN\nBYE\n";
    byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);

    var whole = EmbeddedConnection.of(new FakeClock(), new ShoutProtocol());
    whole.writeInbound(input);
    assertThat(whole.readOutboundAscii()).isEqualTo(expected);

    for (List<ByteBuffer> pieces : Feed.ways(bytes, 50, 1, bytes.length)) {
      var split = EmbeddedConnection.of(new FakeClock(), new ShoutProtocol());
      pieces.forEach(split::writeInbound);
      assertThat(split.readOutboundAscii()).isEqualTo(expected);
    }
  }

  @Test
  void fakeClockFiresTheProtocolsTimer() {
    var clock = new FakeClock();
    var connection = EmbeddedConnection.of(clock, new ShoutProtocol());
    connection.writeInbound("unfinished");

    clock.advance(Duration.ofMillis(4999));
    connection.runPendingTasks();
    assertThat(connection.isClosed()).isFalse();

    clock.advance(Duration.ofMillis(2));
    connection.runPendingTasks();
    assertThat(connection.isClosed()).isTrue();
    assertThat(connection.closeReason())
        .get()
        .extracting(CloseReason::kind)
        .isEqualTo(CloseReason.Kind.TIMEOUT);
  }

  @Test
  void aFinishedLineCancelsTheTimer() {
    var clock = new FakeClock();
    var connection = EmbeddedConnection.of(clock, new ShoutProtocol());
    connection.writeInbound("quick\n");
    clock.advance(Duration.ofMinutes(1));
    connection.runPendingTasks();
    assertThat(connection.isClosed()).isFalse();
  }

  @Test
  void aThrowingProtocolClosesTheConnectionWithTheError() {
    var connection =
        EmbeddedConnection.of(
            new FakeClock(),
            (c, data) -> {
              throw new IllegalArgumentException("bad input");
            });
    connection.writeInbound("x");
    assertThat(connection.isClosed()).isTrue();
    assertThat(connection.closeReason()).get().satisfies(r -> assertThat(r.isFailure()).isTrue());
  }

  @Test
  void checkExceptionRethrowsWhatTheProtocolThrewOnce() {
    var connection =
        EmbeddedConnection.of(
            new FakeClock(),
            (c, data) -> {
              throw new IllegalArgumentException("bad input");
            });
    connection.checkException(); // Nothing thrown yet.
    connection.writeInbound("x");
    assertThatThrownBy(connection::checkException)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad input");
    connection.checkException(); // Forgotten once rethrown.
  }

  @Test
  void discardingCountsTheOutputAndKeepsNone() {
    var connection = EmbeddedConnection.of(new FakeClock(), new ShoutProtocol());
    connection.discardOutbound();
    connection.writeInbound("one\ntwo\n");
    assertThat(connection.outboundBytes()).isEqualTo(8);
    assertThat(connection.readOutbound()).isEmpty();
  }
}
