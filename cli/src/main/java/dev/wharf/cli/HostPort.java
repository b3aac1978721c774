package dev.wharf.cli;

import java.util.Objects;

/**
 * A host and a port as a user types them: {@code 8000}, {@code localhost:8000}, {@code [::1]:8000}.
 * The host is kept as text (a name or a literal address) and resolved later.
 *
 * @param host a host name or an address literal, without brackets
 * @param port 0 to 65535
 */
public record HostPort(String host, int port) {

  public HostPort {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
  }

  /**
   * Parses {@code [HOST:]PORT}; without a host, {@code defaultHost}. An IPv6 address goes in
   * brackets, as in URLs (RFC 3986 §3.2.2), since its colons would hide the port.
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static HostPort parse(String text, String defaultHost) {
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("missing ']' in " + text);
      }
      String host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (host.isEmpty() || !rest.startsWith(":")) {
        throw new IllegalArgumentException("expected [IPV6]:PORT, got " + text);
      }
      return new HostPort(host, port(rest.substring(1)));
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      return new HostPort(defaultHost, port(text));
    }
    if (text.indexOf(':') != colon) {
      throw new IllegalArgumentException(
          "put an IPv6 address in brackets, as in [::1]:8000, got " + text);
    }
    String host = text.substring(0, colon);
    return new HostPort(host.isEmpty() ? defaultHost : host, port(text.substring(colon + 1)));
  }

  /** Parses a port number, 0 to 65535. */
  public static int port(String text) {
    if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("port must be a number 0-65535, got '" + text + "'");
    }
    long port = text.length() > 9 ? Long.MAX_VALUE : Long.parseLong(text);
    if (port > 65_535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + text);
    }
    return (int) port;
  }

  /** A host as typed on a command line: brackets around an IPv6 literal are dropped. */
  public static String host(String text) {
    if (text.startsWith("[") && text.endsWith("]") && text.length() > 2) {
      return text.substring(1, text.length() - 1);
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty host name");
    }
    return text;
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
