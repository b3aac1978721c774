package dev.wharf.cli.packets;

import dev.wharf.http.RequestHead;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.codec.Http1RequestDecoder;
import dev.wharf.http.codec.Http1ResponseDecoder;
import dev.wharf.http.codec.MessageParseException;
import dev.wharf.packets.decode.PayloadFields;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * The first line of a TCP segment on an HTTP port, read by Wharf's HTTP/1 codec ({@link
 * Http1RequestDecoder#parseRequestLine}, {@link Http1ResponseDecoder#parseStatusLine}), in
 * tcpdump's words (print-http.c through txtproto_print: "HTTP: GET / HTTP/1.1"; with -v its length
 * and every text line) and as {@code --json} fields. Only the first line: a segment may hold part
 * of a head, and the rest may never be captured. Stateless; any thread.
 */
final class HttpWords {
  /** print-http.c's request methods: a segment starting with another word is not a request. */
  private static final Set<String> METHODS =
      Set.of(
          "OPTIONS",
          "GET",
          "HEAD",
          "POST",
          "PUT",
          "DELETE",
          "TRACE",
          "CONNECT",
          "PATCH",
          "PROPFIND",
          "PROPPATCH",
          "MKCOL",
          "COPY",
          "MOVE",
          "LOCK",
          "UNLOCK",
          "ORDERPATCH",
          "ACL");

  /** txtproto_print looks no further for the end of the first line. */
  private static final int MAX_LINE = 300;

  private HttpWords() {}

  /** What a segment starts with. */
  sealed interface FirstLine {
    /** A request line the codec takes, its method one print-http.c knows. */
    record Request(String text, RequestHead head) implements FirstLine {}

    /** A status line the codec takes. */
    record Response(String text, ResponseHead head) implements FirstLine {}

    /**
     * A line that starts as a request or status line does (a known method and a space, or "HTTP/")
     * but that the codec could not read: {@code cut} where the segment or the capture ends before
     * the line does (the codec needs whole lines), else the codec's reason.
     */
    record Unread(String text, boolean cut, String problem) implements FirstLine {}

    /** Anything else: a body, or the rest of a head. */
    record Other() implements FirstLine {}
  }

  static FirstLine firstLine(byte[] data, int offset, int length) {
    int end = offset;
    int limit = offset + Math.min(length, MAX_LINE);
    while (end < limit && data[end] != '\r' && data[end] != '\n') {
      end++;
    }
    String text = new String(data, offset, end - offset, StandardCharsets.ISO_8859_1);
    int space = text.indexOf(' ');
    boolean status = text.startsWith("HTTP/");
    if (!status && !(space > 0 && METHODS.contains(text.substring(0, space)))) {
      return new FirstLine.Other();
    }
    if (end == limit) {
      return new FirstLine.Unread(
          text,
          true,
          length > MAX_LINE
              ? "no line end in the first " + MAX_LINE + " bytes"
              : "the segment or the capture ends before the line does");
    }
    try {
      return status
          ? new FirstLine.Response(
              text, Http1ResponseDecoder.parseStatusLine(data, offset, end - offset))
          : new FirstLine.Request(
              text, Http1RequestDecoder.parseRequestLine(data, offset, end - offset));
    } catch (MessageParseException e) {
      return new FirstLine.Unread(text, false, e.getMessage());
    }
  }

  /**
   * "HTTP: " and the first line of a request or a response, escaped as txtproto_print escapes it;
   * "HTTP" alone for anything else (a body's segment), as tcpdump. A line the codec refuses is
   * printed as tcpdump prints it, then marked: "HTTP: GET /a b HTTP/1.1 [malformed: ...]".
   */
  static String line(byte[] data, int offset, int length) {
    return switch (firstLine(data, offset, length)) {
      case FirstLine.Other other -> "HTTP";
      case FirstLine.Request request -> "HTTP: " + escaped(request.text());
      case FirstLine.Response response -> "HTTP: " + escaped(response.text());
      case FirstLine.Unread unread when unread.cut() -> "HTTP: " + escaped(unread.text());
      case FirstLine.Unread unread ->
          "HTTP: " + escaped(unread.text()) + " [malformed: " + unread.problem() + "]";
    };
  }

  /** txtproto_print escapes what is not printable ASCII. */
  private static String escaped(String line) {
    var text = new StringBuilder();
    for (char c : line.toCharArray()) {
      if (c >= 0x20 && c < 0x7f) {
        text.append(c);
      } else {
        text.append(String.format("\\0x%02x", (int) c));
      }
    }
    return text.toString();
  }

  /**
   * -v's words (txtproto_print): for a request or a response, "HTTP, length: N", then each text
   * line after a newline and a tab, up to the first that is not printable ASCII (that one not
   * printed) or the end of what was captured (a last line without its end printed as it is); for
   * anything else (a body's segment) "HTTP" alone.
   */
  static String verbose(byte[] data, int offset, int length, int payloadLength) {
    if (firstLine(data, offset, length) instanceof FirstLine.Other) {
      return "HTTP";
    }
    var text = new StringBuilder("HTTP, length: ").append(payloadLength);
    int end = offset + length;
    int start = offset;
    int at = offset;
    while (at < end) {
      int c = data[at] & 0xff;
      if (c == '\n' || c == '\r' && at + 1 < end && data[at + 1] == '\n') {
        // A line ends (LF, or CR LF): printed without its end.
        appendLine(text, data, start, at);
        at += c == '\n' ? 1 : 2;
        start = at;
      } else if (c == '\r' || (c < 0x20 || c >= 0x7f) && c != '\t') {
        // A CR at the end of what was captured, or not followed by LF, or a byte that is not
        // printable text: treated as binary, not printed.
        return text.toString();
      } else {
        at++;
      }
    }
    if (start < end) {
      appendLine(text, data, start, end); // printable to the end, its line end not captured
    }
    return text.toString();
  }

  private static void appendLine(StringBuilder text, byte[] data, int from, int to) {
    text.append("\n\t").append(new String(data, from, to - from, StandardCharsets.ISO_8859_1));
  }

  /**
   * {@code --json}'s layer: {@code {"kind":"request","method":..,"target":..,"version":..}}, {@code
   * {"kind":"response","version":..,"status":..,"reason":..}}, or {@code "truncated"} or {@code
   * "malformed"} with the line (and the codec's reason); none for a body's segment.
   */
  static Optional<PayloadFields> fields(byte[] data, int offset, int length) {
    var fields = new LinkedHashMap<String, Object>();
    switch (firstLine(data, offset, length)) {
      case FirstLine.Other other -> {
        return Optional.empty();
      }
      case FirstLine.Request request -> {
        fields.put("kind", "request");
        fields.put("method", request.head().method());
        fields.put("target", request.head().target());
        fields.put("version", request.head().version());
      }
      case FirstLine.Response response -> {
        fields.put("kind", "response");
        fields.put("version", response.head().version());
        fields.put("status", response.head().status());
        fields.put("reason", response.head().reason());
      }
      case FirstLine.Unread unread -> {
        fields.put("kind", unread.cut() ? "truncated" : "malformed");
        fields.put("line", unread.text());
        fields.put("problem", unread.problem());
      }
    }
    return Optional.of(new PayloadFields("http", fields));
  }
}
