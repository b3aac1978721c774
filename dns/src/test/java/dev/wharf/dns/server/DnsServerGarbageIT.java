package dev.wharf.dns.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Garbage from a client nobody here wrote (Python's plain sockets, dns_garbage_peer.py), as NSD
 * takes it: FORMERR with the query's id when the header can be read; over TCP, the connection
 * closed when the framing is broken or a message gets no answer, and closed by the idle timeout
 * when a frame never ends; and the server still answers the next client.
 */
@Timeout(60)
class DnsServerGarbageIT {
  private static final String ZONE =
      "$ORIGIN example.test.\n$TTL 60\n@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\nns1 A 127.0.0.1\n";
  private static final Duration IDLE = Duration.ofSeconds(1);

  private EventLoopGroup group;
  private DnsServer server;

  @BeforeEach
  void start() throws Exception {
    group = new EventLoopGroup(1, "dns-test", true);
    var zone = Zone.of(ZoneFileParser.parse(Path.of("t.zone"), ZONE, null));
    server =
        DnsServer.start(
            group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(zone), IDLE);
  }

  @AfterEach
  void stop() {
    server.close();
    group.close();
  }

  @Test
  void framedGarbageOverTcpGetsFormerrWithItsIdAndTheNextConnectionIsAnswered() throws Exception {
    assertThat(peer("tcp-garbage")).isEqualTo("formerr " + 0x5a5a);
    assertThat(peer("tcp-five-questions")).isEqualTo("formerr " + 0x0505);
    assertThat(peer("tcp-query")).isEqualTo("answer " + 0x0101 + " 0");
  }

  @Test
  void aTcpMessageThatGetsNoAnswerClosesTheConnection() throws Exception {
    assertThat(peer("tcp-response")).startsWith("closed ");
    assertThat(peer("tcp-short-header")).startsWith("closed ");
    assertThat(peer("tcp-query")).isEqualTo("answer " + 0x0101 + " 0");
  }

  @Test
  void aFrameThatNeverEndsIsClosedByTheIdleTimeout() throws Exception {
    String outcome = peer("tcp-unfinished-frame");
    assertThat(outcome).startsWith("closed ");
    // The peer waits 5 s; the server's 1 s idle timeout must have closed it well before.
    assertThat(Double.parseDouble(outcome.substring("closed ".length()))).isLessThan(4.5);
    assertThat(peer("tcp-query")).isEqualTo("answer " + 0x0101 + " 0");
  }

  @Test
  void garbageDatagramsGetFormerrOrSilenceAndTheLoopKeepsServing() throws Exception {
    assertThat(peer("udp-garbage")).isEqualTo("formerr " + 0x5a5a);
    assertThat(peer("udp-five-questions")).isEqualTo("formerr " + 0x0505);
    assertThat(peer("udp-short")).isEqualTo("silent"); // no header, no id to answer with
    assertThat(peer("udp-query")).isEqualTo("answer " + 0x0202 + " 0");
  }

  private String peer(String testCase) throws Exception {
    var result =
        ExternalProcess.run(
            Duration.ofSeconds(20),
            "/usr/bin/python3",
            script().toString(),
            String.valueOf(server.port()),
            testCase);
    assertThat(result.exit()).as("peer stderr: %s", result.err()).isZero();
    return result.out().strip();
  }

  private static Path script() throws Exception {
    return Path.of(DnsServerGarbageIT.class.getResource("/dns_garbage_peer.py").toURI());
  }
}
