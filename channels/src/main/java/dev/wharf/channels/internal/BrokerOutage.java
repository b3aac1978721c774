package dev.wharf.channels.internal;

import java.io.EOFException;
import java.time.Duration;
import java.util.Locale;

/**
 * The log lines of a broker outage, in words an operator reads at a glance: which broker, what went
 * wrong (never an exception's class name, which a client library puts into its messages), and what
 * the node does next. Both remote brokers say them alike. Stateless; any thread.
 */
public final class BrokerOutage {
  /** What both remote brokers do while their broker is away (100 ms doubling to 5 s). */
  public static final String RETRYING = "retrying with backoff (0.1 s doubling to 5 s)";

  private BrokerOutage() {}

  /**
   * {@code broker redis://127.0.0.1:6379 unreachable (connection refused); retrying with backoff
   * (0.1 s doubling to 5 s)}.
   */
  public static String unreachable(String broker, Throwable cause) {
    return "broker " + broker + " unreachable (" + reason(cause) + "); " + RETRYING;
  }

  /** {@code broker redis://127.0.0.1:6379 reconnected after 2.4 s}. */
  public static String reconnected(String broker, Duration down) {
    return "broker " + broker + " reconnected after " + seconds(down);
  }

  /**
   * What went wrong, from the innermost cause that says something: a client library wraps a {@code
   * ConnectException} ("Connection refused") in its own exception whose message is the cause's
   * {@code toString()}, class name first; the innermost message is the plain one.
   */
  static String reason(Throwable error) {
    String said = null;
    boolean closed = false;
    for (Throwable t = error; t != null; t = t.getCause()) {
      boolean onlyTheCause = t.getCause() != null && t.getCause().toString().equals(t.getMessage());
      if (t.getMessage() != null && !t.getMessage().isBlank() && !onlyTheCause) {
        said = t.getMessage();
      }
      closed |= t instanceof EOFException;
      if (t.getCause() == t) {
        break;
      }
    }
    if (said == null) {
      return closed ? "connection closed" : "connection lost";
    }
    // Should a message still start with a class name ("java.net.SocketException: reset"), drop it.
    String plain = said.strip().replaceFirst("^([a-z_$][\\w$]*\\.)+[A-Z][\\w$]*:\\s*", "");
    if (plain.endsWith(".")) {
      plain = plain.substring(0, plain.length() - 1);
    }
    if (plain.isEmpty()) {
      return "connection lost";
    }
    return plain.substring(0, 1).toLowerCase(Locale.ROOT) + plain.substring(1);
  }

  /** {@code 0.4 s}, {@code 12.0 s}: an outage's length, to a tenth of a second. */
  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }
}
