package dev.wharf.http.h2.server;

import dev.wharf.http.Headers;
import dev.wharf.http.RequestHead;
import dev.wharf.http.h2.hpack.HeaderSink;
import java.util.Set;

/**
 * Collects a request's header block from HPACK and checks what RFC 9113 §8.2 and §8.3 ask of it:
 * lowercase names, the pseudo-header fields first, each once, only the request ones, none missing,
 * and no connection-specific fields. A block that breaks a rule is malformed (§8.1.1): the stream
 * is reset with PROTOCOL_ERROR. The whole block is always read, so HPACK's table stays in step.
 */
final class RequestFields implements HeaderSink {
  /** RFC 9113 §8.2.2: fields that only mean something to one HTTP/1.1 hop. */
  private static final Set<String> CONNECTION_SPECIFIC =
      Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

  private final boolean trailers;
  private final Headers.Builder headers = Headers.builder();
  private String method;
  private String scheme;
  private String path;
  private String authority;
  private boolean regularSeen;
  private StringBuilder cookies;
  private String malformed;

  /**
   * @param trailers whether this block is a trailer section (no pseudo-header fields allowed)
   */
  RequestFields(boolean trailers) {
    this.trailers = trailers;
  }

  @Override
  public void field(String name, String value) {
    if (malformed != null) {
      return;
    }
    if (name.isEmpty()) {
      malformed = "an empty field name";
      return;
    }
    // RFC 9113 §8.2.1: uppercase names, and characters a field name may not hold, are malformed.
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c <= 0x20 || c >= 0x7F) || (c == ':' && i > 0)) {
        malformed = "field name " + printable(name) + " is not a lowercase token";
        return;
      }
    }
    // RFC 9113 §8.2.1: no NUL, CR or LF in a value, nor whitespace at either end.
    if (!value.isEmpty()
        && (isWhitespace(value.charAt(0)) || isWhitespace(value.charAt(value.length() - 1)))) {
      malformed = "field " + name + " has whitespace around its value";
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0 || c == '\r' || c == '\n') {
        malformed = "field " + name + " holds a NUL, CR or LF";
        return;
      }
    }
    if (name.charAt(0) == ':') {
      pseudo(name, value);
      return;
    }
    regularSeen = true;
    if (CONNECTION_SPECIFIC.contains(name)) {
      malformed = "connection-specific field " + name; // §8.2.2
      return;
    }
    if (name.equals("te") && !value.equals("trailers")) {
      malformed = "te other than trailers"; // §8.2.2
      return;
    }
    if (name.equals("cookie")) {
      // RFC 9113 §8.2.3: cookie may come split; HTTP/1.1's handlers expect one field.
      if (cookies == null) {
        cookies = new StringBuilder(value);
      } else {
        cookies.append("; ").append(value);
      }
      return;
    }
    headers.add(name, value);
  }

  private void pseudo(String name, String value) {
    // RFC 9113 §8.3: pseudo-header fields come first, and none in trailers.
    if (trailers) {
      malformed = "pseudo-header field " + name + " in trailers";
      return;
    }
    if (regularSeen) {
      malformed = "pseudo-header field " + name + " after a regular field";
      return;
    }
    switch (name) {
      case ":method" -> method = once(name, method, value);
      case ":scheme" -> scheme = once(name, scheme, value);
      case ":path" -> path = once(name, path, value);
      case ":authority" -> authority = once(name, authority, value);
      default -> malformed = "pseudo-header field " + printable(name) + " is not a request's";
    }
  }

  private String once(String name, String previous, String value) {
    if (previous != null) {
      malformed = "pseudo-header field " + name + " twice";
    }
    return value;
  }

  /** Why the block is malformed, or null. */
  String malformed() {
    if (malformed != null || trailers) {
      return malformed;
    }
    if (method == null) {
      return "no :method";
    }
    if (method.equals("CONNECT")) {
      // RFC 9113 §8.5: CONNECT names :authority only.
      return authority == null || scheme != null || path != null
          ? "CONNECT needs :authority and no :scheme or :path"
          : null;
    }
    if (scheme == null || path == null) {
      return "no " + (scheme == null ? ":scheme" : ":path"); // §8.3.1
    }
    if (path.isEmpty()) {
      return "an empty :path"; // §8.3.1
    }
    return null;
  }

  /** The request, as HTTP/1.1's handlers know it: :authority becomes Host when Host is absent. */
  RequestHead head() {
    if (cookies != null) {
      headers.add("cookie", cookies.toString());
    }
    if (authority != null && !headers.contains("host")) {
      headers.add("host", authority);
    }
    String target = method.equals("CONNECT") ? authority : path;
    return new RequestHead(method, target, Http2ServerConnection.VERSION, headers.build());
  }

  /** The trailer section. */
  Headers trailerFields() {
    return headers.build();
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }

  private static String printable(String name) {
    return name.length() > 40 ? name.substring(0, 40) + "..." : name;
  }
}
