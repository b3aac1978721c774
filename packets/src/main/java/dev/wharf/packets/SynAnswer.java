package dev.wharf.packets;

import java.util.Objects;

/**
 * What came back for a SYN probe. Immutable.
 *
 * @param port the port probed
 * @param kind SYN-ACK (something listens), RST (nothing does) or an ICMP error (something blocks)
 * @param reason in nmap's words: {@code syn-ack}, {@code reset}, {@code host-unreach}, {@code
 *     port-unreach}, {@code admin-prohibited}...
 */
public record SynAnswer(int port, Kind kind, String reason) {

  /** The three answers a SYN can get. */
  public enum Kind {
    /** SYN and ACK: the port is open (and this host's kernel resets the half-open connection). */
    SYN_ACK,
    /** RST: the host answered and nothing listens. */
    RESET,
    /** ICMP or ICMPv6 destination unreachable quoting the probe: a firewall or router said no. */
    UNREACHABLE
  }

  public SynAnswer {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }
}
