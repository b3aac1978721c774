package dev.wharf.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
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

    var byteByByte = EmbeddedConnection.of(new FakeClock(), new ShoutProtocol());
    for (byte b : bytes) {
      byteByByte.writeInbound(new byte[] {b});
    }
    assertThat(byteByByte.readOutboundAscii()).isEqualTo(expected);

    var random = new Random(1);
    for (int round = 0; round < 50; round++) {
      var split = EmbeddedConnection.of(new FakeClock(), new ShoutProtocol());
      int at = 0;
      while (at < bytes.length) {
        int n = 1 + random.nextInt(bytes.length - at);
        split.writeInbound(ByteBuffer.wrap(bytes, at, n));
        at += n;
      }
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
}
