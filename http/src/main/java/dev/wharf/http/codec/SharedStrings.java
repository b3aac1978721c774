package dev.wharf.http.codec;

import java.nio.charset.StandardCharsets;

/**
 * The text nearly every request carries (its method, its version, the common field names), made
 * once and shared: the decoder compares the bytes it read with these before making a String of its
 * own, which saves two objects per match on every request. Matches are exact, case included, as
 * clients send them; any other spelling still gets its own String.
 */
final class SharedStrings {
  static final String HTTP_1_1 = "HTTP/1.1";
  static final String HTTP_1_0 = "HTTP/1.0";

  private static final String[] METHODS = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"
  };

  private static final String[] FIELD_NAMES = {
    "Host",
    "Connection",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "User-Agent",
    "Content-Length",
    "Content-Type",
    "Transfer-Encoding",
    "Cookie",
    "Authorization",
    "Cache-Control",
    "Pragma",
    "Referer",
    "Origin",
    "Upgrade",
    "Expect",
    "Range",
    "If-None-Match",
    "If-Modified-Since",
    "Upgrade-Insecure-Requests",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Extensions",
    "Sec-WebSocket-Protocol",
    // Lower case, as HTTP/2-era clients and proxies often send them.
    "host",
    "connection",
    "accept",
    "accept-encoding",
    "user-agent",
    "content-length",
    "content-type",
  };

  private SharedStrings() {}

  /** The method in {@code bytes[0, length)}, shared when it is a standard one. */
  static String method(byte[] bytes, int length) {
    return shared(METHODS, bytes, length);
  }

  /** The field name in {@code bytes[0, length)}, shared when it is a common one. */
  static String fieldName(byte[] bytes, int length) {
    return shared(FIELD_NAMES, bytes, length);
  }

  /** Whether {@code bytes[from, from + length)} spell {@code text} exactly (one byte a char). */
  static boolean spells(byte[] bytes, int from, int length, String text) {
    if (text.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if ((bytes[from + i] & 0xff) != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static String shared(String[] known, byte[] bytes, int length) {
    for (String text : known) {
      if (spells(bytes, 0, length, text)) {
        return text;
      }
    }
    return new String(bytes, 0, length, StandardCharsets.US_ASCII);
  }
}
