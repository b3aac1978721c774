package dev.wharf.scan;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A set of TCP ports to scan, in ascending order: parsed from nmap's syntax ({@code
 * 22,80,8000-8100}, {@code -} for all of 1 to 65535, {@code 8000-} and {@code -1024} for open
 * ranges) or taken from the most common ports. Immutable and thread-safe.
 */
public final class PortList {
  public static final int MAX_PORT = 65_535;

  private final int[] ports;

  private PortList(BitSet set) {
    this.ports = set.stream().toArray();
  }

  /** The ports in ascending order (a copy). */
  public int[] ports() {
    return ports.clone();
  }

  public int size() {
    return ports.length;
  }

  /** Every port from 1 to 65535. */
  public static PortList all() {
    var set = new BitSet();
    set.set(1, MAX_PORT + 1);
    return new PortList(set);
  }

  /** The given ports, sorted, without duplicates. */
  public static PortList of(int... ports) {
    var set = new BitSet();
    for (int port : ports) {
      set.set(checked(port, String.valueOf(port)));
    }
    return new PortList(set);
  }

  /**
   * Parses nmap's port syntax: numbers and ranges separated by commas; a range's missing end is 1
   * or 65535, so {@code -} alone is every port.
   *
   * @throws IllegalArgumentException naming the part that is not a port or range
   */
  public static PortList parse(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("no ports given");
    }
    var set = new BitSet();
    for (String part : text.split(",", -1)) {
      String item = part.strip();
      if (item.isEmpty()) {
        throw new IllegalArgumentException("empty item in port list '" + text + "'");
      }
      int dash = item.indexOf('-');
      if (dash < 0) {
        set.set(number(item, item));
        continue;
      }
      int first = dash == 0 ? 1 : number(item.substring(0, dash), item);
      int last = dash == item.length() - 1 ? MAX_PORT : number(item.substring(dash + 1), item);
      if (first > last) {
        throw new IllegalArgumentException("port range '" + item + "' runs backwards");
      }
      set.set(first, last + 1);
    }
    return new PortList(set);
  }

  private static int number(String digits, String item) {
    if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("'" + item + "' is not a port or a port range");
    }
    return checked(Integer.parseInt(digits), item);
  }

  private static int checked(int port, String item) {
    if (port < 1 || port > MAX_PORT) {
      throw new IllegalArgumentException("port " + item + " is out of range (1 to 65535)");
    }
    return port;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PortList list && Arrays.equals(ports, list.ports);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ports);
  }

  @Override
  public String toString() {
    return ports.length + " ports";
  }
}
