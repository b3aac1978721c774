package dev.wharf.dns.codec;

import java.util.Locale;
import java.util.Map;

/**
 * Resource record types (RFC 1035 §3.2.2 and later RFCs) as their 16-bit codes, with the mnemonics
 * dig prints; a type without one is {@code TYPEnnn} (RFC 3597 §5).
 *
 * <p>Constants only; any thread.
 */
public final class RecordType {
  public static final int A = 1;
  public static final int NS = 2;
  public static final int CNAME = 5;
  public static final int SOA = 6;
  public static final int PTR = 12;
  public static final int HINFO = 13;
  public static final int MX = 15;
  public static final int TXT = 16;
  public static final int AAAA = 28;
  public static final int SRV = 33;
  public static final int OPT = 41;
  public static final int SVCB = 64;
  public static final int HTTPS = 65;
  public static final int IXFR = 251;
  public static final int AXFR = 252;
  public static final int ANY = 255;
  public static final int CAA = 257;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(A, "A"),
          Map.entry(NS, "NS"),
          Map.entry(CNAME, "CNAME"),
          Map.entry(SOA, "SOA"),
          Map.entry(PTR, "PTR"),
          Map.entry(HINFO, "HINFO"),
          Map.entry(MX, "MX"),
          Map.entry(TXT, "TXT"),
          Map.entry(AAAA, "AAAA"),
          Map.entry(SRV, "SRV"),
          Map.entry(OPT, "OPT"),
          Map.entry(SVCB, "SVCB"),
          Map.entry(HTTPS, "HTTPS"),
          Map.entry(IXFR, "IXFR"),
          Map.entry(AXFR, "AXFR"),
          Map.entry(ANY, "ANY"),
          Map.entry(CAA, "CAA"));

  private static final Map<String, Integer> CODES = invert(NAMES);

  private RecordType() {}

  /** The mnemonic, or {@code TYPEnnn}. */
  public static String name(int type) {
    String name = NAMES.get(type);
    return name != null ? name : "TYPE" + type;
  }

  /** Whether {@code text} names a type: a mnemonic (any case) or {@code TYPEnnn}. */
  public static boolean isType(String text) {
    return code(text) >= 0;
  }

  /**
   * The code of a mnemonic or {@code TYPEnnn}; throws {@link IllegalArgumentException} for anything
   * else.
   */
  public static int parse(String text) {
    int code = code(text);
    if (code < 0) {
      throw new IllegalArgumentException("unknown record type '" + text + "'");
    }
    return code;
  }

  private static int code(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    Integer known = CODES.get(upper);
    if (known != null) {
      return known;
    }
    return numberAfter(upper, "TYPE");
  }

  static int numberAfter(String text, String prefix) {
    if (!text.startsWith(prefix)
        || text.length() == prefix.length()
        || text.length() > prefix.length() + 5) {
      return -1;
    }
    for (int i = prefix.length(); i < text.length(); i++) {
      if (!Character.isDigit(text.charAt(i)) || text.charAt(i) > '9') {
        return -1;
      }
    }
    int value = Integer.parseInt(text.substring(prefix.length()));
    return value <= 0xffff ? value : -1;
  }

  static Map<String, Integer> invert(Map<Integer, String> names) {
    var codes = new java.util.HashMap<String, Integer>();
    names.forEach((code, name) -> codes.put(name, code));
    return Map.copyOf(codes);
  }
}
