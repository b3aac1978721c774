package dev.wharf.http.fields;

/**
 * The character classes of HTTP field syntax: tchar and token (RFC 9110 §5.6.2) and the bytes a
 * field value may hold (§5.5). The one token check of Wharf: the codec, CORS, the WebSocket
 * handshake and the CLI all ask here. Stateless; any thread.
 */
public final class Tokens {
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[Character.toUpperCase(c)] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private Tokens() {}

  /** RFC 9110 §5.6.2: a tchar is a visible US-ASCII character that is not a delimiter. */
  public static boolean isTchar(byte b) {
    return b > 0 && TCHAR[b];
  }

  /** {@link #isTchar(byte)} for a char; false beyond US-ASCII. */
  public static boolean isTchar(char c) {
    return c < 128 && TCHAR[c];
  }

  /** RFC 9110 §5.6.2: a token is one or more tchar (field names, methods, codings, parameters). */
  public static boolean isToken(String text) {
    return isToken(text, 0, text.length());
  }

  /** Whether {@code text[from, to)} is a token. */
  public static boolean isToken(CharSequence text, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (!isTchar(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** RFC 9110 §5.5: VCHAR, obs-text, SP or HTAB; anything but controls and DEL. */
  public static boolean isFieldValueByte(byte b) {
    int c = b & 0xff;
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  }
}
