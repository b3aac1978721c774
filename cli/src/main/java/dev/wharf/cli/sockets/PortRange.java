package dev.wharf.cli.sockets;

/**
 * A port or an inclusive range of ports, as {@code --sport} and {@code --dport} take them: {@code
 * 80}, {@code :80} (ss's way), {@code 8000-8100}. Immutable; any thread.
 */
record PortRange(int low, int high) {

  /** Parses {@code text}; a mistake is an {@link IllegalArgumentException} naming it. */
  static PortRange parse(String text) {
    String trimmed = text.startsWith(":") ? text.substring(1) : text;
    int dash = trimmed.indexOf('-');
    int low = port(dash < 0 ? trimmed : trimmed.substring(0, dash), text);
    int high = dash < 0 ? low : port(trimmed.substring(dash + 1), text);
    if (low > high) {
      throw new IllegalArgumentException("port range " + text + " ends before it starts");
    }
    return new PortRange(low, high);
  }

  private static int port(String digits, String text) {
    if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          "expected a port (0-65535) or a range like 8000-8100, got '" + text + "'");
    }
    int port = Integer.parseInt(digits);
    if (port > 65535) {
      throw new IllegalArgumentException("port " + port + " is beyond 65535");
    }
    return port;
  }

  boolean contains(int port) {
    return port >= low && port <= high;
  }
}
