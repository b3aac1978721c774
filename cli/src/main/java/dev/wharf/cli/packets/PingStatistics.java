package dev.wharf.cli.packets;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.BitSet;

/**
 * The counts and round-trip times of one ping run, and the lines iputils' ping (20221126) prints
 * from them: per reply and the summary. Guarded by itself: the main thread records and prints, a
 * Ctrl-C hook prints the summary.
 */
final class PingStatistics {
  private long transmitted;
  private long received;
  private long duplicates;
  private long errors;
  private long minMicros = Long.MAX_VALUE;
  private long maxMicros;
  private long sumMicros;
  private long sumSquares;
  private final BitSet seen = new BitSet(65_536);

  synchronized void sent() {
    transmitted++;
  }

  /** Records a reply; true when its sequence number was answered before (ping's DUP!). */
  synchronized boolean replied(int sequence, Duration roundTrip) {
    long micros = roundTrip.toNanos() / 1000;
    boolean duplicate = seen.get(sequence & 0xffff);
    if (duplicate) {
      duplicates++;
    } else {
      seen.set(sequence & 0xffff);
      received++;
    }
    minMicros = Math.min(minMicros, micros);
    maxMicros = Math.max(maxMicros, micros);
    sumMicros += micros;
    sumSquares += micros * micros;
    return duplicate;
  }

  synchronized void error() {
    errors++;
  }

  synchronized long transmitted() {
    return transmitted;
  }

  synchronized long received() {
    return received;
  }

  synchronized long errors() {
    return errors;
  }

  /** The longest round trip so far. */
  synchronized Duration max() {
    return Duration.ofNanos(maxMicros * 1000);
  }

  /** ping's exit code: 0 when anything answered, 1 when nothing did. */
  synchronized int exitCode() {
    return received > 0 ? 0 : 1;
  }

  /**
   * The summary as ping prints it: a blank line, the title, the counts, and the round trips when
   * there were replies and {@code timed} (payloads of 16 bytes and more carry ping's timestamp),
   * else a blank line.
   */
  synchronized String summary(String host, Duration elapsed, boolean timed) {
    var text = new StringBuilder();
    text.append("\n--- ").append(host).append(" ping statistics ---\n");
    text.append(transmitted).append(" packets transmitted, ").append(received).append(" received");
    if (duplicates > 0) {
      text.append(", +").append(duplicates).append(" duplicates");
    }
    if (errors > 0) {
      text.append(", +").append(errors).append(" errors");
    }
    if (transmitted > 0) {
      float loss = (float) ((transmitted - received) * 100.0 / transmitted);
      text.append(", ").append(percent(loss)).append("% packet loss");
      text.append(", time ").append((elapsed.toNanos() + 500_000) / 1_000_000).append("ms");
    }
    text.append('\n');
    if (received > 0 && timed) {
      long count = received + duplicates;
      long average = sumMicros / count;
      long mdev = (long) Math.sqrt((double) (sumSquares / count - average * average));
      text.append("rtt min/avg/max/mdev = ")
          .append(millis(minMicros))
          .append('/')
          .append(millis(average))
          .append('/')
          .append(millis(maxMicros))
          .append('/')
          .append(millis(mdev))
          .append(" ms");
    }
    // ping ends the summary with a newline of its own: after the round trips, or a blank line.
    text.append('\n');
    return text.toString();
  }

  /** A round trip as ping's reply line writes it: fewer decimals the longer it is. */
  static String time(Duration roundTrip) {
    long micros = roundTrip.toNanos() / 1000;
    if (micros >= 100_000 - 50) {
      return ((micros + 500) / 1000) + " ms";
    }
    if (micros >= 10_000 - 5) {
      return ((micros + 50) / 1000) + "." + (((micros + 50) % 1000) / 100) + " ms";
    }
    if (micros >= 1000) {
      return ((micros + 5) / 1000) + "." + pad2(((micros + 5) % 1000) / 10) + " ms";
    }
    return millis(micros) + " ms";
  }

  /** C's {@code %g}: six significant digits, trailing zeros dropped. */
  static String percent(float value) {
    if (value == 0) {
      return "0";
    }
    return new BigDecimal(Float.toString(value))
        .round(new MathContext(6))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String millis(long micros) {
    return (micros / 1000) + "." + String.format("%03d", micros % 1000);
  }

  private static String pad2(long value) {
    return value < 10 ? "0" + value : Long.toString(value);
  }
}
