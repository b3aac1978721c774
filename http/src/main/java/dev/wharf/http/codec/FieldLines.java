package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.fields.Tokens;

/**
 * The field lines of a head, {@code name: value\r\n} each (RFC 9112 §5), as both encoders write
 * them: names must be tokens and values may hold no control but HTAB, so that no CR, LF or NUL can
 * split a message or start one of its own.
 *
 * <p>Stateless; does no I/O.
 */
final class FieldLines {
  private FieldLines() {}

  /** The size in bytes of {@code headers} as field lines. */
  static int length(Headers headers) {
    int size = 0;
    for (int i = 0; i < headers.size(); i++) {
      size += headers.name(i).length() + 2 + headers.value(i).length() + 2;
    }
    return size;
  }

  /** The size in bytes of the fields collected in {@code headers} as field lines. */
  static int length(Headers.Builder headers) {
    int size = 0;
    for (int i = 0; i < headers.size(); i++) {
      size += headers.name(i).length() + 2 + headers.value(i).length() + 2;
    }
    return size;
  }

  /**
   * As {@link #put(byte[], int, Headers)}, from a builder: a server encodes the fields it collected
   * without building (copying) them first.
   */
  static int put(byte[] out, int at, Headers.Builder headers) {
    for (int i = 0; i < headers.size(); i++) {
      at = putLine(out, at, headers.name(i), headers.value(i));
    }
    return at;
  }

  private static int putLine(byte[] out, int at, String name, String value) {
    at = putName(out, at, name);
    out[at++] = ':';
    out[at++] = ' ';
    at = putValue(out, at, name, value);
    out[at++] = '\r';
    out[at++] = '\n';
    return at;
  }

  /**
   * Writes {@code headers} as field lines into {@code out} from {@code at}, checking each character
   * as it is copied, and returns where they end.
   *
   * @throws IllegalArgumentException for a name that is not a token or a value with a control
   */
  static int put(byte[] out, int at, Headers headers) {
    for (int i = 0; i < headers.size(); i++) {
      at = putLine(out, at, headers.name(i), headers.value(i));
    }
    return at;
  }

  /** Copies a field name, refusing anything but token characters. */
  private static int putName(byte[] out, int at, String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!Tokens.isTchar(c)) {
        throw new IllegalArgumentException("invalid character in header name: " + printable(name));
      }
      out[at++] = (byte) c;
    }
    return at;
  }

  /** Copies a field value as ISO-8859-1, refusing controls. */
  private static int putValue(byte[] out, int at, String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // Splitting: a CR or LF in a value would start a header or a message of its own.
      if (c > 255 || !Tokens.isFieldValueByte((byte) c)) {
        throw new IllegalArgumentException("invalid character in value of header " + name);
      }
      out[at++] = (byte) c;
    }
    return at;
  }

  /** Text for a message, its controls shown as escapes (a raw CR or LF would split a log line). */
  static String printable(String text) {
    var out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
