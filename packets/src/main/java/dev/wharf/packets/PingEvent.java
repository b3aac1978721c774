package dev.wharf.packets;

import java.net.InetAddress;
import java.time.Duration;

/** What came back for an echo request: a reply, or an ICMP error about it. */
public sealed interface PingEvent {

  /** The echo request's sequence number (16 bits, as on the wire). */
  int sequence();

  /**
   * An echo reply.
   *
   * @param from who answered
   * @param sequence the request's sequence number
   * @param bytes the ICMP message's length (header and data), as ping prints it
   * @param ttl the reply's TTL (IPv4) or hop limit (IPv6), -1 where the kernel gave none
   * @param roundTrip from the request's sending to the reply's arrival: the kernel's receive
   *     timestamp where {@code kernelTimed}, else the reply's reading
   * @param kernelTimed true when the round trip ends at the kernel's receive timestamp
   *     (SO_TIMESTAMPNS, as iputils' ping), so that a late reader does not lengthen it
   */
  record EchoReply(
      InetAddress from, int sequence, int bytes, int ttl, Duration roundTrip, boolean kernelTimed)
      implements PingEvent {
    /** A reply timed by its reader (a TCP handshake, say), not by the kernel. */
    public EchoReply(InetAddress from, int sequence, int bytes, int ttl, Duration roundTrip) {
      this(from, sequence, bytes, ttl, roundTrip, false);
    }
  }

  /**
   * An ICMP error about one of our requests (destination unreachable, time exceeded).
   *
   * @param from the router or host that sent it
   * @param description in iputils' words ("Destination Host Unreachable", "Time to live exceeded")
   */
  record IcmpError(InetAddress from, int sequence, String description) implements PingEvent {}
}
