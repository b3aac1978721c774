package dev.wharf.cli.packets;

import static dev.wharf.cli.packets.PingRun.timeless;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf ping} against iputils' {@code ping} on loopback, and in private network namespaces
 * where an nftables rule drops echo requests (tc netem is not available in this kernel). The same
 * lines but for the times, the same counts, the same exit codes.
 */
class PingIT extends EndToEnd {
  /** Drops every second echo request leaving the namespace's loopback: the first, third, ... */
  private static final String DROP_EVERY_SECOND =
      "icmp type echo-request numgen inc mod 2 == 0 drop";

  private static final String DROP_ALL = "icmp type echo-request drop";

  @Test
  void loopbackRepliesAreThoseOfIputils() throws Exception {
    List<String> args = List.of("-c", "3", "-i", "0.2", "127.0.0.1");
    assertThat(timeless(wharfPing(List.of(), args))).isEqualTo(timeless(iputils(List.of(), args)));
  }

  @Test
  void ipv6WithAPayloadSizeAndHopLimitAreThoseOfIputils() throws Exception {
    List<String> args = List.of("-6", "-c", "2", "-i", "0.2", "-s", "100", "-t", "7", "::1");
    PingRun ours = wharfPing(List.of(), args);
    assertThat(ours.out()).contains("108 bytes from ::1: icmp_seq=2 ttl=64 time=");
    assertThat(timeless(ours)).isEqualTo(timeless(iputils(List.of(), args)));
  }

  @Test
  void quietPrintsTheFirstLineAndTheSummaryAsIputils() throws Exception {
    List<String> args = List.of("-q", "-c", "2", "-i", "0.2", "127.0.0.1");
    PingRun ours = wharfPing(List.of(), args);
    assertThat(ours.out()).doesNotContain("icmp_seq").contains("2 packets transmitted, 2 received");
    assertThat(timeless(ours)).isEqualTo(timeless(iputils(List.of(), args)));
  }

  @Test
  void aPayloadTooShortForATimestampIsNotTimed() throws Exception {
    List<String> args = List.of("-c", "2", "-i", "0.2", "-s", "8", "127.0.0.1");
    PingRun ours = wharfPing(List.of(), args);
    assertThat(ours.out()).contains("16 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n");
    assertThat(ours.out()).doesNotContain("rtt ");
    assertThat(timeless(ours)).isEqualTo(timeless(iputils(List.of(), args)));
  }

  @Test
  void everySecondRequestDroppedIsHalfLostAsIputilsCounts() throws Exception {
    List<String> args = List.of("-c", "4", "-i", "0.2", "127.0.0.1");
    PingRun ours = wharfPing(namespaceDropping(DROP_EVERY_SECOND), args);
    PingRun theirs = iputils(namespaceDropping(DROP_EVERY_SECOND), args);
    assertThat(ours.out())
        .contains("4 packets transmitted, 2 received, 50% packet loss")
        .contains("icmp_seq=2 ")
        .contains("icmp_seq=4 ")
        .doesNotContain("icmp_seq=1 ")
        .doesNotContain("icmp_seq=3 ");
    assertThat(timeless(ours)).isEqualTo(timeless(theirs));
  }

  @Test
  void noReplyAtAllExitsOneAfterTheWait() throws Exception {
    List<String> args = List.of("-c", "2", "-i", "0.2", "-W", "1", "127.0.0.1");
    long started = System.nanoTime();
    PingRun ours = wharfPing(namespaceDropping(DROP_ALL), args);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    PingRun theirs = iputils(namespaceDropping(DROP_ALL), args);
    assertThat(ours.exit()).isEqualTo(1).isEqualTo(theirs.exit());
    assertThat(ours.out()).contains("2 packets transmitted, 0 received, 100% packet loss");
    assertThat(timeless(ours)).isEqualTo(timeless(theirs));
    // -W 1 after the last request, not ping's default 10 s (the JVM's start aside).
    assertThat(took).isLessThan(Duration.ofSeconds(9));
  }

  @Test
  void aTcpPingTimesTheHandshakeAndCountsARefusalAsAnError() throws Exception {
    try (var listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      PingRun open =
          wharfPing(
              List.of(),
              List.of("--tcp", "-c", "2", "-i", "0.2", "127.0.0.1:" + listener.getLocalPort()));
      assertThat(open.exit()).isZero();
      assertThat(open.out())
          .containsPattern(
              "connected to 127\\.0\\.0\\.1 port "
                  + listener.getLocalPort()
                  + ": tcp_seq=2 time=[\\d.]+ ms")
          .contains("2 packets transmitted, 2 received, 0% packet loss");
    }
    int closed;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    PingRun refused = wharfPing(List.of(), List.of("--tcp", "-c", "1", "127.0.0.1:" + closed));
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.out())
        .contains("From 127.0.0.1 tcp_seq=1 Connection refused")
        .contains("1 packets transmitted, 0 received, +1 errors, 100% packet loss");
  }

  /** What a ping said and how it ended. */
  private PingRun wharfPing(List<String> prefix, List<String> args) throws Exception {
    Path out = dir.resolve("ping-" + System.nanoTime());
    var all = new ArrayList<>(List.of("ping"));
    all.addAll(args);
    Child wharf = Child.wharfUnder(prefix, Map.of(), null, out, all.toArray(String[]::new));
    int exit = wharf.awaitExit(Duration.ofSeconds(30));
    assertThat(wharf.errLines()).isEmpty();
    return new PingRun(exit, Files.readString(out));
  }

  private static PingRun iputils(List<String> prefix, List<String> args) throws Exception {
    var command = new ArrayList<>(prefix);
    command.add("ping");
    command.addAll(args);
    var result = ExternalProcess.run(Duration.ofSeconds(30), command);
    return new PingRun(result.exit(), result.out());
  }

  /**
   * A private network namespace (in a user namespace of its own, so that it needs no root) with its
   * loopback up and {@code rule} on the output hook, then the command.
   */
  private static List<String> namespaceDropping(String rule) {
    String setup =
        "ip link set lo up && nft add table ip t"
            + " && nft add chain ip t o '{ type filter hook output priority 0; }'"
            + " && nft add rule ip t o "
            + rule
            + " && exec \"$0\" \"$@\"";
    return List.of("unshare", "-r", "-n", "sh", "-c", setup);
  }
}
