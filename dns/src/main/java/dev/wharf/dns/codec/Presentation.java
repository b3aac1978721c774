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

  /**
   * An IPv6 address as inet_ntop writes it (RFC 5952 §4): lower case, no leading zeros, the longest
   * run of two or more zero groups as {@code ::} (the first of equal runs), and an IPv4 tail for
   * IPv4-mapped and -compatible addresses.
   */
  public static String ipv6(byte[] bytes) {
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 0;
    for (int i = 0; i < 8; ) {
      if (words[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && words[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    if (bestLength < 2) {
      bestStart = -1;
    }
    var out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      // inet_ntop's rule: a run of six zero groups from the start, or five then ffff, is IPv4.
      if (i == 6
          && bestStart == 0
          && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff))) {
        if (out.charAt(out.length() - 1) != ':') {
          out.append(':');
        }
        out.append(ipv4(bytes, 12));
        break;
      }
      if (i > 0 && !(i == bestStart + bestLength && bestStart >= 0)) {
        out.append(':');
      }
      out.append(Integer.toHexString(words[i]));
    }
    return out.toString();
  }

  public static String base64(Octets data) {
    return Base64.getEncoder().encodeToString(data.unsafe());
  }
}
