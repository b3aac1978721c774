package dev.wharf.scan;

/** What a probe learnt of a port, as nmap names it. Immutable. */
public enum PortState {
  /** The connect completed (SYN-ACK): something listens. */
  OPEN,
  /** The connect was refused (RST): the host answered, nothing listens. */
  CLOSED,
  /** No answer by the timeout, or an ICMP error: something drops or blocks the probes. */
  FILTERED;

  /** The lower-case name nmap prints ({@code open}, {@code closed}, {@code filtered}). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
