package dev.wharf.dns.codec;

import java.util.Locale;
import java.util.Map;

/**
 * Record classes (RFC 1035 §3.2.4, §3.2.5) as their codes, with dig's mnemonics; {@code CLASSnnn}
 * otherwise (RFC 3597 §5).
 *
 * <p>Constants only; any thread.
 */
public final class RecordClass {
  public static final int IN = 1;
  public static final int CH = 3;
  public static final int HS = 4;
  public static final int NONE = 254;
  public static final int ANY = 255;

  private static final Map<Integer, String> NAMES =
      Map.of(IN, "IN", CH, "CH", HS, "HS", NONE, "NONE", ANY, "ANY");
  private static final Map<String, Integer> CODES = RecordType.invert(NAMES);

  private RecordClass() {}

  public static String name(int dnsClass) {
    String name = NAMES.get(dnsClass);
    return name != null ? name : "CLASS" + dnsClass;
  }

  /** Whether {@code text} names a class: a mnemonic (any case) or {@code CLASSnnn}. */
  public static boolean isClass(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    return CODES.containsKey(upper) || RecordType.numberAfter(upper, "CLASS") >= 0;
  }

  /** The code of a mnemonic or {@code CLASSnnn}; {@link IllegalArgumentException} otherwise. */
  public static int parse(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    Integer known = CODES.get(upper);
    if (known != null) {
      return known;
    }
    int code = RecordType.numberAfter(upper, "CLASS");
    if (code < 0) {
      throw new IllegalArgumentException("unknown class '" + text + "'");
    }
    return code;
  }
}
