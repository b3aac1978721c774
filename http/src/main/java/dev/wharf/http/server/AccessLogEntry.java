package dev.wharf.http.server;

import dev.wharf.core.Addresses;
import java.net.SocketAddress;
import java.time.Instant;

/**
 * One answered request, as an access log records it.
 *
 * @param remote the client's address
 * @param time when the request's head had arrived
 * @param requestLine method, target and version
 * @param status the status sent, or 444 when we had closed the connection (a timeout, a shutdown)
 *     before the response ended, so it never went out; when the peer had reset or left, the status
 *     the handler answered
 * @param bodyBytes content bytes sent (not counting the head): of a transfer cut off, those the
 *     socket had taken when the connection closed (less a few bytes of chunk framing), not its
 *     length; 0 for a 444
 * @param userAgent the User-Agent header, or empty
 */
public record AccessLogEntry(
    SocketAddress remote,
    Instant time,
    String requestLine,
    int status,
    long bodyBytes,
    String userAgent) {

  private static final java.time.format.DateTimeFormatter CLF_TIME =
      java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.US)
          .withZone(java.time.ZoneId.systemDefault());

  /** The Common Log Format line: {@code host - - [time] "request" status bytes}. */
  public String commonLogFormat() {
    String host =
        remote instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
            ? Addresses.host(inet.getAddress())
            : "-";
    return host
        + " - - ["
        + CLF_TIME.format(time)
        + "] \""
        + requestLine
        + "\" "
        + status
        + " "
        + (bodyBytes == 0 ? "-" : Long.toString(bodyBytes));
  }
}
