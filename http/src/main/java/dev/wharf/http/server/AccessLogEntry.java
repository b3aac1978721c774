package dev.wharf.http.server;

import dev.wharf.core.Addresses;
import dev.wharf.http.codec.HttpDate;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

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

  /** The zone the log's times are in, as nginx's: the machine's, read once. */
  private static final ZoneId ZONE = ZoneId.systemDefault();

  /** The Common Log Format line: {@code host - - [time] "request" status bytes}. */
  public String commonLogFormat() {
    String host =
        remote instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
            ? Addresses.host(inet.getAddress())
            : "-";
    return host
        + " - - ["
        + commonLogTime(time, ZONE)
        + "] \""
        + requestLine
        + "\" "
        + status
        + " "
        + (bodyBytes == 0 ? "-" : Long.toString(bodyBytes));
  }

  /**
   * {@code 10/Oct/2000:13:55:36 -0700}: the time in that zone, and its offset. Written by hand: a
   * {@code DateTimeFormatter}'s month names come from the locale data, whose loading took tens of
   * milliseconds of a server's first request; the format's are English whatever the locale.
   */
  static String commonLogTime(Instant time, ZoneId zone) {
    ZoneOffset offset = zone.getRules().getOffset(time);
    LocalDateTime local = LocalDateTime.ofEpochSecond(time.getEpochSecond(), 0, offset);
    var text = new StringBuilder(26);
    twoDigits(text, local.getDayOfMonth()).append('/');
    text.append(HttpDate.monthAbbreviation(local.getMonthValue())).append('/');
    int year = local.getYear();
    if (year >= 0 && year < 1000) {
      text.append("0".repeat(year < 10 ? 3 : year < 100 ? 2 : 1));
    }
    text.append(year).append(':');
    twoDigits(text, local.getHour()).append(':');
    twoDigits(text, local.getMinute()).append(':');
    twoDigits(text, local.getSecond()).append(' ');
    int minutes = Math.abs(offset.getTotalSeconds()) / 60;
    text.append(offset.getTotalSeconds() < 0 ? '-' : '+');
    return twoDigits(twoDigits(text, minutes / 60), minutes % 60).toString();
  }

  private static StringBuilder twoDigits(StringBuilder text, int value) {
    return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }
}
