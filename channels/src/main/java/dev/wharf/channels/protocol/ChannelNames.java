package dev.wharf.channels.protocol;

/**
 * The syntax of channel names: 1 to 255 characters among ASCII letters, digits and {@code _ - . :
 * / @ = +}. No {@code *} (it is the wildcard of channel patterns), no space, nothing a shell or a
 * log line would have to quote. Stateless.
 */
public final class ChannelNames {
  public static final int MAX_LENGTH = 255;

  private ChannelNames() {}

  public static boolean isValid(String name) {
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isNameChar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "_-.:/@=+".indexOf(c) >= 0;
  }

  /**
   * Whether {@code name} matches {@code pattern}, where {@code *} stands for any run of characters
   * (none included): {@code chat:*} matches {@code chat:lobby}.
   */
  public static boolean matches(String pattern, String name) {
    return matches(pattern, 0, name, 0);
  }

  private static boolean matches(String pattern, int p, String name, int n) {
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '*') {
        for (int rest = n; rest <= name.length(); rest++) {
          if (matches(pattern, p + 1, name, rest)) {
            return true;
          }
        }
        return false;
      }
      if (n >= name.length() || name.charAt(n) != c) {
        return false;
      }
      p++;
      n++;
    }
    return n == name.length();
  }
}
