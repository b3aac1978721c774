package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.fields.Tokens;

/**
 * Turns a method, a request-target and header fields into the bytes of an HTTP/1.1 request head
 * (RFC 9112 §3): the one place a client of this library writes a request, so that what {@code -v}
 * shows, what the HTTP client sends and what the WebSocket handshake sends are the same bytes.
 *
 * <p>Checks what {@link Http1RequestDecoder} checks on the other side, so nothing is sent that a
 * server of this library would refuse: the method and the field names are tokens, the target holds
 * only visible ASCII (no space, CR, LF or NUL to smuggle a second request), values hold no control
 * but HTAB. Which fields a request carries (Host, framing, defaults) is the caller's choice.
 *
 * <p>Stateless and thread-safe; does no I/O.
 */
public final class Http1RequestEncoder {
  private static final int VERSION_LENGTH = " HTTP/1.1\r\n".length();

  private Http1RequestEncoder() {}

  /**
   * {@code <method> <target> HTTP/1.1\r\n}, each field, and the empty line.
   *
   * @param target the request-target as sent: origin-form ({@code /path?query}, encoded as it is to
   *     go on the wire), absolute-form, authority-form or {@code *}
   * @throws IllegalArgumentException when the method, the target or a field could not be sent as it
   *     is; the message names the part at fault
   */
  public static byte[] encodeHead(String method, String target, Headers headers) {
    checkMethod(method);
    checkTarget(target);
    int length =
        method.length() + 1 + target.length() + VERSION_LENGTH + FieldLines.length(headers) + 2;
    byte[] out = new byte[length];
    int at = putAscii(out, 0, method);
    out[at++] = ' ';
    at = putAscii(out, at, target);
    at = putAscii(out, at, " HTTP/1.1\r\n");
    at = FieldLines.put(out, at, headers);
    out[at++] = '\r';
    out[at++] = '\n';
    return out;
  }

  private static void checkMethod(String method) {
    // RFC 9110 §9.1: method = token.
    if (!Tokens.isToken(method)) {
      throw new IllegalArgumentException("invalid method: '" + FieldLines.printable(method) + "'");
    }
  }

  private static void checkTarget(String target) {
    if (target.isEmpty()) {
      throw new IllegalArgumentException("empty request target");
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      // As the decoder: RFC 3986 characters only, so no space, control or non-ASCII (those are
      // percent-encoded in a URL) can end the request line early.
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            "invalid character in request target: '" + FieldLines.printable(target) + "'");
      }
    }
  }

  private static int putAscii(byte[] out, int at, String text) {
    for (int i = 0; i < text.length(); i++) {
      out[at++] = (byte) text.charAt(i);
    }
    return at;
  }
}
