package dev.wharf.packets.pcap;

import java.math.BigInteger;
import java.time.Instant;

/**
 * An interface as a capture file describes it: a pcapng interface description block (link type,
 * snap length, options {@code if_name}, {@code if_tsresol} and {@code if_tsoffset}), or a pcap
 * file's header, which describes one interface for the whole file. A pcapng file may describe
 * several, each with its own link type and clock resolution (dumpcap {@code -i eth0 -i any}): a
 * packet is decoded and timed by its own interface's. Immutable.
 *
 * @param linkType the pcap link type of its packets (tcpdump.org/linktypes.html)
 * @param snapLength the most bytes kept of a packet; 0: no limit (pcapng's "unknown")
 * @param ticksPerSecond the unit of its timestamps ({@code if_tsresol}: 10^6 unless said)
 * @param offsetSeconds added to every timestamp ({@code if_tsoffset}; usually 0)
 * @param name its {@code if_name}; empty where the file names none
 */
public record CaptureInterface(
    int linkType, int snapLength, long ticksPerSecond, long offsetSeconds, String name) {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  public CaptureInterface {
    if (ticksPerSecond < 1) {
      throw new IllegalArgumentException("ticksPerSecond must be positive, got " + ticksPerSecond);
    }
  }

  /**
   * The instant of a timestamp of {@code ticks} (unsigned) since the epoch, to the nanosecond,
   * rounded down as libpcap scales it: so that a printed time is tcpdump's to the last digit.
   */
  public Instant time(long ticks) {
    long seconds = Long.divideUnsigned(ticks, ticksPerSecond);
    long rest = Long.remainderUnsigned(ticks, ticksPerSecond);
    long nanos;
    if (ticksPerSecond <= NANOS_PER_SECOND && NANOS_PER_SECOND % ticksPerSecond == 0) {
      nanos = rest * (NANOS_PER_SECOND / ticksPerSecond); // 10^6, 10^9, 10^3: exact
    } else {
      // Finer than nanoseconds, or a power of two: rest * 10^9 may not fit in a long.
      nanos =
          BigInteger.valueOf(rest)
              .multiply(BigInteger.valueOf(NANOS_PER_SECOND))
              .divide(BigInteger.valueOf(ticksPerSecond))
              .longValueExact();
    }
    return Instant.ofEpochSecond(seconds, nanos).plusSeconds(offsetSeconds);
  }
}
