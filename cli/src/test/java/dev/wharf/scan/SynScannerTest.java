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
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SYN scan's rules (states, retries, the learnt timeout, the window, the rates) over a fake
 * wire with a fake clock: answers arrive a set round trip after their SYN, and waiting moves the
 * clock to the next answer or to the deadline, so every time below is exact and nothing sleeps.
 */
@Timeout(30)
class SynScannerTest {
  private static final long MS = 1_000_000;

  /** A host whose ports answer {@code roundTrip} after their SYN as listed, or never. */
  private static final class FakeHost implements SynScanner.Wire {
    final Map<Integer, SynAnswer.Kind> answers = new HashMap<>();
    final Map<Integer, Integer> answerOnTry = new HashMap<>();
    final List<Integer> sent = new ArrayList<>();
    final List<Long> sentAt = new ArrayList<>();
    final ArrayDeque<long[]> pending = new ArrayDeque<>(); // {arrival, port, kind}
    private final Map<Integer, Integer> tries = new HashMap<>();
    long roundTrip = MS;
    long now = 1_000 * MS;
    int acceptOnceOnly = -1; // how many SYNs of the next batch the "kernel" takes, once

    @Override
    public int send(int[] ports, int count) {
      int accepted = count;
      if (acceptOnceOnly >= 0) {
        accepted = Math.min(count, acceptOnceOnly);
        acceptOnceOnly = -1;
      }
      for (int i = 0; i < accepted; i++) {
        int port = ports[i];
        sent.add(port);
        sentAt.add(now);
        int attempt = tries.merge(port, 1, Integer::sum);
        SynAnswer.Kind kind = answers.get(port);
        if (kind != null && attempt >= answerOnTry.getOrDefault(port, 1)) {
          pending.add(new long[] {now + roundTrip, port, kind.ordinal()});
        }
      }
      return accepted;
    }

    @Override
    public Optional<SynAnswer> next(long deadlineNanos) {
      long[] first = pending.peekFirst();
      if (first != null && first[0] <= Math.max(now, deadlineNanos)) {
        pending.pollFirst();
        now = Math.max(now, first[0]);
        var kind = SynAnswer.Kind.values()[(int) first[2]];
        String reason =
            switch (kind) {
              case SYN_ACK -> "syn-ack";
              case RESET -> "reset";
              case UNREACHABLE -> "admin-prohibited";
            };
        return Optional.of(new SynAnswer((int) first[1], kind, reason));
      }
      now = Math.max(now, deadlineNanos); // a silent wire waits out its deadline
      return Optional.empty();
    }

    long count(int port) {
      return sent.stream().filter(p -> p == port).count();
    }

    /** When each SYN to {@code port} went. */
    List<Long> times(int port) {
      var times = new ArrayList<Long>();
      for (int i = 0; i < sent.size(); i++) {
        if (sent.get(i) == port) {
          times.add(sentAt.get(i));
        }
      }
      return times;
    }
  }

  private static SynScanner.Settings fixed(int window, long timeoutMillis, int retries) {
    return new SynScanner.Settings(
        window, 0, 0, RttEstimator.Limits.fixed(Duration.ofMillis(timeoutMillis)), retries);
  }

  private static List<PortResult> scan(FakeHost host, SynScanner.Settings settings, String ports)
      throws Exception {
    return scanner(host, settings).scan(host, PortList.parse(ports), TcpScanner.Progress.NONE);
  }

  private static SynScanner scanner(FakeHost host, SynScanner.Settings settings) {
    return new SynScanner(settings, () -> host.now);
  }

  @Test
  void synAckIsOpenRstClosedUnreachableAndSilenceFiltered() throws Exception {
    var host = new FakeHost();
    host.answers.put(22, SynAnswer.Kind.SYN_ACK);
    host.answers.put(23, SynAnswer.Kind.RESET);
    host.answers.put(24, SynAnswer.Kind.UNREACHABLE);
    assertThat(scan(host, fixed(10, 50, 6), "22-25"))
        .containsExactly(
            new PortResult(22, PortState.OPEN, "syn-ack", ""),
            new PortResult(23, PortState.CLOSED, "reset", ""),
            new PortResult(24, PortState.FILTERED, "admin-prohibited", ""),
            new PortResult(25, PortState.FILTERED, "no-response", ""));
    // Every answered port answered its first SYN: the silent one gets one retry (nmap's
    // allowedTryno), not the six --retries allows; the others one SYN each.
    assertThat(host.count(25)).isEqualTo(2);
    assertThat(host.sent.stream().filter(port -> port != 25)).hasSize(3);
  }

  @Test
  void aSilentPortGetsOneRetryMoreThanAnyAnsweredPortNeeded() throws Exception {
    var host = new FakeHost();
    host.answers.put(80, SynAnswer.Kind.SYN_ACK);
    host.answerOnTry.put(80, 2); // lost once, answered on the retry
    List<PortResult> results = scan(host, fixed(1, 50, 6), "80,90");
    assertThat(results)
        .containsExactly(
            new PortResult(80, PortState.OPEN, "syn-ack", ""),
            new PortResult(90, PortState.FILTERED, "no-response", ""));
    assertThat(host.count(80)).isEqualTo(2);
    assertThat(host.count(90)).isEqualTo(3);
  }

  @Test
  void noRetriesMeansOneSynPerPort() throws Exception {
    var host = new FakeHost();
    assertThat(scan(host, fixed(10, 50, 0), "1000-1003"))
        .allMatch(result -> result.state() == PortState.FILTERED);
    assertThat(host.sent).hasSize(4);
  }

  /**
   * On a fast path the timeout is learnt from the answers (here 2 ms round trips, held at the 10 ms
   * floor), so that the silent port's two SYNs wait 10 ms each, not the initial 500 ms.
   */
  @Test
  void aSilentPortWaitsTheLearntTimeoutNotTheInitialOne() throws Exception {
    var host = new FakeHost();
    host.roundTrip = 2 * MS;
    for (int port = 1; port <= 100; port++) {
      host.answers.put(port, SynAnswer.Kind.RESET);
    }
    var timing =
        new RttEstimator.Limits(
            Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMillis(1250));
    var scanner = scanner(host, new SynScanner.Settings(1000, 0, 0, timing, 6));
    long started = host.now;
    List<PortResult> results =
        scanner.scan(host, PortList.parse("1-101"), TcpScanner.Progress.NONE);
    assertThat(results.get(100))
        .isEqualTo(new PortResult(101, PortState.FILTERED, "no-response", ""));
    assertThat(results.subList(0, 100)).allMatch(result -> result.state() == PortState.CLOSED);
    var summary = scanner.summary().orElseThrow();
    assertThat(summary.srttNanos()).isEqualTo(2 * MS);
    assertThat(summary.timeoutNanos()).isEqualTo(10 * MS);
    List<Long> silent = host.times(101);
    assertThat(silent).hasSize(2);
    assertThat(silent.get(1) - silent.get(0)).isEqualTo(10 * MS);
    // The whole scan: a few round trips and the silent port's two timeouts, not 3 s.
    assertThat(host.now - started).isLessThan(100 * MS);
  }

  /** Slow start: 10 SYNs, then each round trip's answers open the window by as many again. */
  @Test
  void theWindowStartsAtTenAndDoublesEachRoundTrip() throws Exception {
    var host = new FakeHost();
    for (int port = 1; port <= 200; port++) {
      host.answers.put(port, SynAnswer.Kind.RESET);
    }
    scan(host, fixed(1000, 500, 6), "1-200");
    var perRoundTrip = new TreeMap<Long, Integer>();
    host.sentAt.forEach(at -> perRoundTrip.merge(at, 1, Integer::sum));
    assertThat(perRoundTrip.values()).containsExactly(10, 20, 40, 80, 50);
  }

  @Test
  void silenceShrinksTheWindow() throws Exception {
    var host = new FakeHost();
    // Silent ports: each holds its place until its timeout; the eleventh SYN waits for the first
    // ten's, and then the window, halved by their drops, lets five go.
    scan(host, fixed(1000, 30, 0), "1000-1019");
    var perTime = new TreeMap<Long, Integer>();
    host.sentAt.forEach(at -> perTime.merge(at, 1, Integer::sum));
    assertThat(perTime.values()).startsWith(10, 5);
    assertThat(host.sentAt.get(10) - host.sentAt.get(0)).isEqualTo(30 * MS);
  }

  @Test
  void theConcurrencyCapsTheWindow() throws Exception {
    var host = new FakeHost();
    for (int port = 1000; port < 1012; port++) {
      host.answers.put(port, SynAnswer.Kind.RESET);
    }
    scan(host, fixed(4, 30, 0), "1000-1011");
    // Four SYNs a round trip, however many answers came back: the window's ceiling.
    var perRoundTrip = new TreeMap<Long, Integer>();
    host.sentAt.forEach(at -> perRoundTrip.merge(at, 1, Integer::sum));
    assertThat(perRoundTrip.values()).containsExactly(4, 4, 4);
  }

  @Test
  void theMaximumRateSpacesTheSyns() throws Exception {
    var host = new FakeHost();
    for (int port = 2000; port < 2020; port++) {
      host.answers.put(port, SynAnswer.Kind.RESET);
    }
    var settings =
        new SynScanner.Settings(100, 0, 40, RttEstimator.Limits.fixed(Duration.ofSeconds(1)), 0);
    scan(host, settings, "2000-2019");
    // 20 SYNs at 40 a second: one every 25 ms, the last 19 intervals after the first.
    for (int i = 1; i < 20; i++) {
      assertThat(host.sentAt.get(i) - host.sentAt.get(i - 1)).isGreaterThanOrEqualTo(25 * MS);
    }
  }

  /** A window of one on silent ports would take 20 s; the minimum rate sends past it. */
  @Test
  void theMinimumRateSendsPastTheWindow() throws Exception {
    var host = new FakeHost();
    var settings =
        new SynScanner.Settings(1, 100, 0, RttEstimator.Limits.fixed(Duration.ofSeconds(1)), 0);
    long started = host.now;
    scan(host, settings, "3000-3019");
    assertThat(host.sent).hasSize(20);
    // 100 a second: the twentieth is due 190 ms in.
    assertThat(host.sentAt.get(19) - started).isLessThanOrEqualTo(200 * MS);
  }

  /** ENOBUFS part-way through a batch: the SYNs not taken go in the next, none twice, none lost. */
  @Test
  void synsTheKernelDidNotTakeAreSentLater() throws Exception {
    var host = new FakeHost();
    for (int port = 1; port <= 40; port++) {
      host.answers.put(port, SynAnswer.Kind.RESET);
    }
    host.acceptOnceOnly = 3;
    List<PortResult> results = scan(host, fixed(1000, 500, 2), "1-40");
    assertThat(results).hasSize(40).allMatch(result -> result.state() == PortState.CLOSED);
    assertThat(host.sent).hasSize(40).doesNotHaveDuplicates();
  }
}
