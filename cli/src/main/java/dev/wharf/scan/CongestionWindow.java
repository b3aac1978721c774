package dev.wharf.scan;

/**
 * How many probes may await an answer at once, as TCP's congestion window (RFC 5681 §3.1) and
 * nmap's, counted in probes: it starts small, grows by one per answer in slow start (doubling per
 * round trip) and by one per window of answers after, and when a probe goes unanswered (a drop:
 * lost to congestion, or to a firewall, which a scanner cannot tell apart) the threshold falls to
 * the probes then outstanding divided by 1.5 (nmap -T4's divisor) and the window is halved. The
 * drops of one window are one congestion event: only the first probe unanswered among those sent
 * after the last reaction shrinks it again, so that a burst of silent ports does not collapse the
 * window to its floor.
 *
 * <p>No clock of its own: times are the caller's nanoseconds. Not thread-safe.
 */
public final class CongestionWindow {
  /** nmap's initial window (its {@code group_initial_cwnd}). */
  static final int INITIAL = 10;

  /** nmap -T4's {@code host_drop_ssthresh_divisor}. */
  private static final double DROP_THRESHOLD_DIVISOR = 1.5;

  private final int floor;
  private final int ceiling;
  private double window;
  private double threshold;
  private boolean reacted;
  private long recoveredAfter;

  /**
   * A window between {@code floor} and {@code ceiling} probes (nmap's --min-parallelism and
   * --max-parallelism); its slow-start threshold starts at the ceiling (RFC 5681 §3.1: "arbitrarily
   * high"), so that a clean path is used at full speed after a few round trips.
   */
  public CongestionWindow(int floor, int ceiling) {
    if (floor < 1 || ceiling < floor) {
      throw new IllegalArgumentException("window bounds must be 1 <= " + floor + " <= " + ceiling);
    }
    this.floor = floor;
    this.ceiling = ceiling;
    this.window = Math.max(floor, Math.min(ceiling, INITIAL));
    this.threshold = ceiling;
  }

  /** The probes that may be outstanding now. */
  public int size() {
    return (int) window;
  }

  /** The slow-start threshold. */
  public int threshold() {
    return (int) threshold;
  }

  /** A probe was answered: the window grows. */
  public void answered() {
    window += window < threshold ? 1 : 1 / window;
    window = Math.min(ceiling, window);
  }

  /**
   * A probe sent at {@code sentAtNanos} went unanswered, found at {@code nowNanos} with {@code
   * outstanding} probes awaiting answers: the window shrinks, unless this event already made it.
   *
   * @return true when the window shrank
   */
  public boolean dropped(long sentAtNanos, long nowNanos, int outstanding) {
    if (reacted && sentAtNanos - recoveredAfter < 0) {
      return false; // sent before the last reaction: part of the same congestion event
    }
    reacted = true;
    recoveredAfter = nowNanos;
    threshold = Math.max(2, Math.min(ceiling, outstanding / DROP_THRESHOLD_DIVISOR));
    window = Math.max(floor, window / 2);
    return true;
  }
}
