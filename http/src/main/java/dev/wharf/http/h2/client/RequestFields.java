package dev.wharf.http.h2.client;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.h2.hpack.HeaderField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The header list of a request as HTTP/2 sends it (RFC 9113 §8.3.1): the pseudo-header fields
 * first, then the client's defaults (user-agent, accept) unless the request sets them, the body's
 * content-length, then the request's own fields in lowercase, without the fields HTTP/2 forbids.
 * Used on any thread; holds nothing.
 */
final class RequestFields {
  /** RFC 9113 §8.2.2: connection-specific fields must not appear in HTTP/2. */
  private static final Set<String> CONNECTION_SPECIFIC =
      Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

  private RequestFields() {}

  /**
   * The fields to encode, in order.
   *
   * @throws IllegalArgumentException for a TE field other than "trailers" (§8.2.2)
   */
  static List<HeaderField> of(ClientRequest request, HttpUrl url) {
    Headers headers = request.headers();
    var fields = new ArrayList<HeaderField>();
    fields.add(new HeaderField(":method", request.method()));
    fields.add(new HeaderField(":scheme", url.scheme()));
    // RFC 9113 §8.3.1: :authority carries what Host would; a Host the request sets wins.
    fields.add(new HeaderField(":authority", headers.first("Host").orElse(url.hostHeader())));
    fields.add(new HeaderField(":path", url.target()));
    if (!headers.contains("User-Agent")) {
      fields.add(new HeaderField("user-agent", "wharf"));
    }
    if (!headers.contains("Accept")) {
      fields.add(new HeaderField("accept", "*/*"));
    }
    long length = request.body().length();
    boolean hasBody =
        length != 0 || request.method().equals("POST") || request.method().equals("PUT");
    if (length >= 0 && hasBody && !headers.contains("Content-Length")) {
      fields.add(new HeaderField("content-length", Long.toString(length)));
    }
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i).toLowerCase(Locale.ROOT);
      String value = headers.value(i);
      if (name.equals("host") || CONNECTION_SPECIFIC.contains(name)) {
        continue;
      }
      // RFC 9113 §8.2.2: TE may be sent, with "trailers" as its only value.
      if (name.equals("te") && !value.trim().equalsIgnoreCase("trailers")) {
        throw new IllegalArgumentException("HTTP/2 allows TE: trailers only, not TE: " + value);
      }
      fields.add(new HeaderField(name, value));
    }
    return fields;
  }

  /**
   * The list as HTTP/1.1-style lines, for {@code -v}: "GET /path HTTP/2", "Host: ...", then the
   * regular fields, then an empty line (as curl shows an HTTP/2 request).
   */
  static String describe(List<HeaderField> fields) {
    String method = "";
    String path = "";
    String authority = "";
    var rest = new StringBuilder();
    for (HeaderField field : fields) {
      switch (field.name()) {
        case ":method" -> method = field.value();
        case ":path" -> path = field.value();
        case ":authority" -> authority = field.value();
        case ":scheme" -> {}
        default -> rest.append(field.name()).append(": ").append(field.value()).append("\r\n");
      }
    }
    return method + " " + path + " HTTP/2\r\nHost: " + authority + "\r\n" + rest + "\r\n";
  }
}
