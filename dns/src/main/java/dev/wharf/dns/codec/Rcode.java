package dev.wharf.dns.codec;

/**
 * Response codes (RFC 1035 §4.1.1; 12 bits with EDNS's upper eight, RFC 6891 §6.1.3) and the names
 * dig prints for them.
 *
 * <p>Constants only; any thread.
 */
public final class Rcode {
  public static final int NOERROR = 0;
  public static final int FORMERR = 1;
  public static final int SERVFAIL = 2;
  public static final int NXDOMAIN = 3;
  public static final int NOTIMP = 4;
  public static final int REFUSED = 5;
  public static final int BADVERS = 16;

  private static final String[] NAMES = {
    "NOERROR",
    "FORMERR",
    "SERVFAIL",
    "NXDOMAIN",
    "NOTIMP",
    "REFUSED",
    "YXDOMAIN",
    "YXRRSET",
    "NXRRSET",
    "NOTAUTH",
    "NOTZONE",
    "RESERVED11",
    "RESERVED12",
    "RESERVED13",
    "RESERVED14",
    "RESERVED15",
    "BADVERS",
    "BADKEY",
    "BADTIME",
    "BADMODE",
    "BADNAME",
    "BADALG",
    "BADTRUNC",
    "BADCOOKIE"
  };

  private Rcode() {}

  public static String name(int rcode) {
    return rcode >= 0 && rcode < NAMES.length ? NAMES[rcode] : "RESERVED" + rcode;
  }
}
