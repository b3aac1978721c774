package dev.wharf.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.packets.SynAnswer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SYN scan's rules (states, retries, window) over a fake wire that answers as told. */
@Timeout(30)
class SynScannerTest {

  /** A host whose ports answer at once as listed, or never; it records every SYN. */
  private static final class FakeHost implements SynScanner.Wire {
    final Map<Integer, SynAnswer.Kind> answers = new HashMap<>();
    final Map<Integer, Integer> answerOnTry = new HashMap<>();
    final List<Integer> sent = new ArrayList<>();
    final List<Long> sentAt = new ArrayList<>();
    final ArrayDeque<SynAnswer> pending = new ArrayDeque<>();
    private final Map<Integer, Integer> tries = new HashMap<>();

    @Override
    public boolean send(int port) {
      sent.add(port);
      sentAt.add(System.nanoTime());
      int attempt = tries.merge(port, 1, Integer::sum);
      SynAnswer.Kind kind = answers.get(port);
      if (kind != null && attempt >= answerOnTry.getOrDefault(port, 1)) {
        String reason =
            switch (kind) {
              case SYN_ACK -> "syn-ack";
              case RESET -> "reset";
              case UNREACHABLE -> "admin-prohibited";
            };
        pending.add(new SynAnswer(port, kind, reason));
      }
      return true;
    }

    @Override
    public Optional<SynAnswer> next(long deadlineNanos) throws java.io.IOException {
      if (pending.isEmpty()) {
        // A silent wire: the real one blocks in poll until the deadline; nothing can arrive
        // meanwhile (answers are queued only by send, on this thread), so waiting is the contract,
        // not a hope that something happens.
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
          try {
            Thread.sleep(Duration.ofNanos(Math.min(left, 5_000_000)));
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
        }
      }
      return Optional.ofNullable(pending.poll());
    }
  }

  @Test
  void synAckIsOpenRstClosedUnreachableAndSilenceFiltered() throws Exception {
    var host = new FakeHost();
    host.answers.put(22, SynAnswer.Kind.SYN_ACK);
    host.answers.put(23, SynAnswer.Kind.RESET);
    host.answers.put(24, SynAnswer.Kind.UNREACHABLE);
    List<PortResult> results =
        new SynScanner(new SynScanner.Settings(10, 0, Duration.ofMillis(50), 2))
            .scan(host, PortList.parse("22-25"), TcpScanner.Progress.NONE);
    assertThat(results)
        .containsExactly(
            new PortResult(22, PortState.OPEN, "syn-ack", ""),
            new PortResult(23, PortState.CLOSED, "reset", ""),
            new PortResult(24, PortState.FILTERED, "admin-prohibited", ""),
            new PortResult(25, PortState.FILTERED, "no-response", ""));
    // The silent port got its first SYN and two retries; the others one each.
    assertThat(host.sent.stream().filter(port -> port == 25)).hasSize(3);
    assertThat(host.sent.stream().filter(port -> port != 25)).hasSize(3);
  }

  @Test
  void aPortThatAnswersOnlyTheRetryIsNotFiltered() throws Exception {
    var host = new FakeHost();
    host.answers.put(80, SynAnswer.Kind.SYN_ACK);
    host.answerOnTry.put(80, 2);
    List<PortResult> results =
        new SynScanner(new SynScanner.Settings(10, 0, Duration.ofMillis(50), 1))
            .scan(host, PortList.parse("80"), TcpScanner.Progress.NONE);
    assertThat(results).containsExactly(new PortResult(80, PortState.OPEN, "syn-ack", ""));
    assertThat(host.sent).containsExactly(80, 80);
  }

  @Test
  void theWindowBoundsThePortsAwaitingAnAnswer() throws Exception {
    var host = new FakeHost();
    // Silent ports, no retries: each holds its place in the window until its timeout.
    List<PortResult> results =
        new SynScanner(new SynScanner.Settings(4, 0, Duration.ofMillis(30), 0))
            .scan(host, PortList.parse("1000-1011"), TcpScanner.Progress.NONE);
    assertThat(results).hasSize(12).allMatch(r -> r.state() == PortState.FILTERED);
    assertThat(host.sent).hasSize(12);
    // The fifth SYN waits for the first to time out, the ninth for the fifth.
    assertThat(host.sentAt.get(4) - host.sentAt.get(0)).isGreaterThanOrEqualTo(30_000_000L);
    assertThat(host.sentAt.get(8) - host.sentAt.get(4)).isGreaterThanOrEqualTo(30_000_000L);
  }

  @Test
  void theRateSpacesTheSyns() throws Exception {
    var host = new FakeHost();
    for (int port = 2000; port < 2020; port++) {
      host.answers.put(port, SynAnswer.Kind.RESET);
    }
    long started = System.nanoTime();
    new SynScanner(new SynScanner.Settings(100, 40, Duration.ofSeconds(1), 0))
        .scan(host, PortList.parse("2000-2019"), TcpScanner.Progress.NONE);
    // 20 SYNs at 40 a second: the last goes 19 intervals (0.475 s) after the first.
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(470));
  }
}
