package dev.wharf.inspect;

import java.time.Duration;

/**
 * A TCP socket's pending timer, as {@code ss -o} shows it: {@code timer:(keepalive,7.1sec,0)}.
 * Immutable; any thread.
 *
 * @param kind which timer
 * @param remaining how long until it fires (0 when already due)
 * @param retransmits retransmissions (or keep-alive probes) sent so far
 */
public record SocketTimer(Kind kind, Duration remaining, int retransmits) {

  /** The kernel's timers ({@code idiag_timer}), by the names {@code ss} gives them. */
  public enum Kind {
    /** The retransmission (or SYN, or tail-loss probe) timer. */
    ON("on"),
    KEEPALIVE("keepalive"),
    TIMEWAIT("timewait"),
    /** The zero-window probe timer. */
    PERSIST("persist");

    private final String ssName;

    Kind(String ssName) {
      this.ssName = ssName;
    }

    /** The name ss prints. */
    public String ssName() {
      return ssName;
    }
  }
}
