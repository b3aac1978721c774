package dev.wharf.core;

import java.time.Duration;

/**
 * TCP keep-alive probing (SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTERVAL and TCP_KEEPCOUNT):
 * after {@code idle} without traffic the kernel sends a probe every {@code interval}, and drops the
 * connection after {@code count} unanswered probes.
 */
public record KeepAlive(Duration idle, Duration interval, int count) {

  public KeepAlive {
    if (idle.toSeconds() < 1 || interval.toSeconds() < 1 || count < 1) {
      throw new IllegalArgumentException(
          "keep-alive needs idle and interval of at least 1 s and a count of at least 1");
    }
  }
}
