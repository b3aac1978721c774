package dev.wharf.dns.codec;

import java.util.Base64;

/** How dig writes the parts of records: quoted strings, IPv6 addresses, base64. Any thread. */
public final class Presentation {
  private Presentation() {}

  /**
   * A character-string in double quotes (RFC 1035 §5.1): {@code "} and {@code \} escaped with a
   * backslash, octets outside printable ASCII as {@code \DDD}.
   */
  public static String quoted(Octets text) {
    return "\"" + escaped(text, "\"\\") + "\"";
  }

  /** The octets with the characters in {@code special} backslashed and the rest as dig does. */
  static String escaped(Octets text, String special) {
    var out = new StringBuilder(text.length() + 2);
    for (int i = 0; i < text.length(); i++) {
      int c = text.get(i);
      if (c < 0x20 || c >= 0x7f) {
        out.append('\\').append(String.format("%03d", c));
      } else {
        if (special.indexOf(c) >= 0) {
          out.append('\\');
        }
        out.append((char) c);
      }
    }
    return out.toString();
  }

  /** An IPv4 address from four octets at {@code offset}. */
  public static String ipv4(byte[] bytes, int offset) {
    return (bytes[offset] & 0xff)
        + "."
        + (bytes[offset + 1] & 0xff)
        + "."
        + (bytes[offset + 2] & 0xff)
        + "."
        + (bytes[offset + 3] & 0xff);
  }

  public static String base64(Octets data) {
    return Base64.getEncoder().encodeToString(data.unsafe());
  }
}
