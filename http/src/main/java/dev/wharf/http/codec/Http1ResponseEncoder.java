package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpStatus;

/**
 * Turns a status and header fields into the bytes of an HTTP/1.1 response head (RFC 9112 §4),
 * refusing names and values that could split a response (CR, LF or other controls).
 *
 * <p>Stateless and thread-safe; does no I/O.
 */
public final class Http1ResponseEncoder {
  private Http1ResponseEncoder() {}

  /** {@code HTTP/1.1 <status> <reason>\r\n}, each field, and the empty line. */
  public static byte[] encodeHead(int status, Headers headers) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status must have three digits: " + status);
    }
    var out = new StringBuilder(128 + headers.size() * 32);
    out.append("HTTP/1.1 ")
        .append(status)
        .append(' ')
        .append(HttpStatus.reason(status))
        .append("\r\n");
    for (Headers.Field field : headers.fields()) {
      checkName(field.name());
      checkValue(field.name(), field.value());
      out.append(field.name()).append(": ").append(field.value()).append("\r\n");
    }
    out.append("\r\n");
    byte[] bytes = new byte[out.length()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) out.charAt(i);
    }
    return bytes;
  }

  private static void checkName(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c > 127 || !Tokens.isTchar((byte) c)) {
        throw new IllegalArgumentException("invalid character in header name: " + name);
      }
    }
  }

  private static void checkValue(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // Response splitting: a CR or LF in a value would start a header or body of its own.
      if (c > 255 || !Tokens.isFieldValueByte((byte) c)) {
        throw new IllegalArgumentException("invalid character in value of header " + name);
      }
    }
  }
}
