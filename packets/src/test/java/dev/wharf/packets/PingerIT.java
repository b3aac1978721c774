package dev.wharf.packets;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Echo over loopback through the kernel's ICMP sockets (a ping socket where the group range allows,
 * else raw: the tests run as root in CI and here).
 */
@Timeout(30)
class PingerIT {

  @Test
  void loopbackAnswersEveryRequestOverIpv4() throws Exception {
    assertThat(replies("127.0.0.1", 56, 3))
        .extracting(PingEvent.EchoReply::sequence, PingEvent.EchoReply::bytes)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, 64),
            org.assertj.core.groups.Tuple.tuple(2, 64),
            org.assertj.core.groups.Tuple.tuple(3, 64));
  }

  @Test
  void loopbackAnswersOverIpv6WithItsHopLimit() throws Exception {
    List<PingEvent.EchoReply> replies = replies("::1", 100, 2);
    assertThat(replies).extracting(PingEvent.EchoReply::bytes).containsExactly(108, 108);
    assertThat(replies).allSatisfy(reply -> assertThat(reply.ttl()).isEqualTo(64));
    assertThat(replies)
        .allSatisfy(reply -> assertThat(AddressText.of(reply.from())).isEqualTo("::1"));
  }

  @Test
  void theTtlOfAReplyIsReported() throws Exception {
    assertThat(replies("127.0.0.1", 0, 1))
        .singleElement()
        .satisfies(reply -> assertThat(reply.ttl()).isEqualTo(64))
        .satisfies(reply -> assertThat(reply.bytes()).isEqualTo(8));
  }

  /**
   * The round trip ends when the kernel received the reply (SO_TIMESTAMPNS), not when this thread
   * got round to reading it: a reader two seconds late still sees a trip of well under one. (On a
   * quiet machine loopback's trip is a few microseconds; on a loaded one the kernel's own softirq
   * work, which makes the reply, may wait for a CPU a few hundred milliseconds, as it does for
   * iputils' ping.)
   */
  @Test
  void theRoundTripIsTheKernelsReceiveTimeNotTheReadersTime() throws Exception {
    try (Pinger pinger = Pinger.open(InetAddress.getByName("127.0.0.1"), 56, 0)) {
      pinger.send(1);
      long lateBy = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < lateBy) {
        Thread.sleep(Duration.ofNanos(Math.max(1, lateBy - System.nanoTime())));
      }
      PingEvent event = pinger.await(System.nanoTime() + Duration.ofSeconds(5).toNanos()).get();
      assertThat(event).isInstanceOf(PingEvent.EchoReply.class);
      var reply = (PingEvent.EchoReply) event;
      assertThat(reply.kernelTimed()).isTrue();
      assertThat(reply.roundTrip()).isLessThan(Duration.ofSeconds(1));
    }
  }

  private static List<PingEvent.EchoReply> replies(String host, int payload, int count)
      throws Exception {
    var replies = new ArrayList<PingEvent.EchoReply>();
    try (Pinger pinger = Pinger.open(InetAddress.getByName(host), payload, 0)) {
      for (int sequence = 1; sequence <= count; sequence++) {
        pinger.send(sequence);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        PingEvent event = pinger.await(deadline).orElseThrow();
        assertThat(event).isInstanceOf(PingEvent.EchoReply.class);
        assertThat(event.sequence()).isEqualTo(sequence);
        assertThat(((PingEvent.EchoReply) event).kernelTimed()).isTrue();
        replies.add((PingEvent.EchoReply) event);
      }
    }
    return replies;
  }
}
