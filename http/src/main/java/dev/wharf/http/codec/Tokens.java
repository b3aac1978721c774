package dev.wharf.http.codec;

/** Character classes of RFC 9110 §5.6.2 (tokens) and §5.5 (field values). */
final class Tokens {
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

  static boolean isTchar(byte b) {
    return b > 0 && TCHAR[b];
  }

  /** VCHAR, obs-text, SP or HTAB: anything but controls and DEL. */
  static boolean isToken(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 128 || !isTchar((byte) c)) {
        return false;
      }
    }
    return true;
  }

  static boolean isFieldValueByte(byte b) {
    int c = b & 0xff;
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  }
}
