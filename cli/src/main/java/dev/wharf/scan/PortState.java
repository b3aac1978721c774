package dev.wharf.scan;

/** What a probe learnt of a port, as nmap names it. Immutable. */
public enum PortState {
  /** The connect completed (SYN-ACK): something listens. */
  OPEN,
  /** The connect was refused (RST): the host answered, nothing listens. */
  CLOSED,
  /** No answer by the timeout, or an ICMP error: something drops or blocks the probes. */
  FILTERED,
  /**
   * UDP only: no answer to any try. A UDP service owes no answer to a datagram it does not
   * understand, and a firewall may drop it: the two cannot be told apart.
   */
  OPEN_FILTERED;

  /**
   * The lower-case name nmap prints ({@code open}, {@code closed}, {@code filtered}, {@code
   * open|filtered}).
   */
  public String label() {
    return this == OPEN_FILTERED ? "open|filtered" : name().toLowerCase(java.util.Locale.ROOT);
  }
}
