package dev.wharf.scan;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a probe waits for its answer, learnt from the answers' round trips as TCP learns its
 * retransmission timeout (RFC 6298 §2): the smoothed round trip (SRTT) and its variation (RTTVAR)
 * from each sample, and a timeout of SRTT + 4 RTTVAR, kept between a floor and a ceiling as nmap
 * keeps its probe timeout ({@code --min-rtt-timeout}, {@code --max-rtt-timeout}). Before the first
 * sample the timeout is the initial one ({@code --initial-rtt-timeout}).
 *
 * <p>Unlike RFC 6298 §5.5, a timeout does not double the next: a silent port is a firewall far more
 * often than a congested path, and nmap does not back off either; the {@link CongestionWindow}
 * slows the scan down instead. No clock of its own: the caller measures (nanoseconds). Not
 * thread-safe.
 */
public final class RttEstimator {

  /**
   * The timeout's bounds: before any sample, and at least and at most after.
   *
   * @param initial the timeout until the first answer (nmap -T4: 500 ms)
   * @param min the floor (nmap: 100 ms), so that a loopback's microseconds do not give up on a port
   *     whose answer is merely scheduled late
   * @param max the ceiling (nmap -T4: 1250 ms)
   */
  public record Limits(Duration initial, Duration min, Duration max) {
    /** nmap -T4's: initial 500 ms, min 100 ms, max 1250 ms (the Nmap book, table 6.3). */
    public static final Limits NMAP_T4 =
        new Limits(Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofMillis(1250));

    public Limits {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (!min.isPositive() || !initial.isPositive() || !max.isPositive()) {
        throw new IllegalArgumentException("round-trip timeouts must be positive");
      }
      if (min.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            "the minimum round-trip timeout ("
                + min.toMillis()
                + " ms) is above the maximum ("
                + max.toMillis()
                + " ms)");
      }
    }

    /** One timeout for every probe, learnt from nothing (the scan's fixed --timeout). */
    public static Limits fixed(Duration timeout) {
      return new Limits(timeout, timeout, timeout);
    }
  }

  private final long minNanos;
  private final long maxNanos;
  private long srtt = -1;
  private long rttvar = -1;
  private long timeout;
  private long samples;

  public RttEstimator(Limits limits) {
    this.minNanos = limits.min().toNanos();
    this.maxNanos = limits.max().toNanos();
    this.timeout = clamp(limits.initial().toNanos());
  }

  /**
   * One round trip measured: from a probe sent once (Karn's rule, RFC 6298 §3: an answer to a
   * retransmitted probe could be the first try's, so its time says nothing).
   */
  public void sample(long rttNanos) {
    long rtt = Math.max(0, rttNanos);
    if (srtt < 0) {
      // RFC 6298 §2.2: the first measurement R gives SRTT = R, RTTVAR = R/2.
      srtt = rtt;
      rttvar = rtt / 2;
    } else {
      // §2.3, with alpha 1/8 and beta 1/4; RTTVAR first, from the SRTT before this sample.
      rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
      srtt = (7 * srtt + rtt) / 8;
    }
    samples++;
    timeout = clamp(srtt + 4 * rttvar);
  }

  /** How long a probe sent now waits before it counts as unanswered. */
  public long timeoutNanos() {
    return timeout;
  }

  /** The smoothed round trip; -1 before the first sample. */
  public long srttNanos() {
    return srtt;
  }

  /** The round trip's smoothed mean deviation; -1 before the first sample. */
  public long rttvarNanos() {
    return rttvar;
  }

  public long samples() {
    return samples;
  }

  private long clamp(long nanos) {
    return Math.max(minNanos, Math.min(maxNanos, nanos));
  }
}
