package dev.wharf.dns.codec;

/**
 * A message's header (RFC 1035 §4.1.1) but for its counts, which the sections' sizes give: the id
 * and the 16 bits of flags, opcode and response code.
 *
 * <p>Immutable; any thread.
 */
public record Header(int id, int flags) {
  public static final int QR = 0x8000;
  public static final int AA = 0x0400;
  public static final int TC = 0x0200;
  public static final int RD = 0x0100;
  public static final int RA = 0x0080;
  public static final int Z = 0x0040;
  public static final int AD = 0x0020;
  public static final int CD = 0x0010;

  public Header {
    if (id < 0 || id > 0xffff || flags < 0 || flags > 0xffff) {
      throw new IllegalArgumentException("id and flags are 16-bit values");
    }
  }

  /** A standard query's header: opcode QUERY, RD as asked. */
  public static Header query(int id, boolean recursionDesired) {
    return new Header(id, recursionDesired ? RD : 0);
  }

  public boolean isResponse() {
    return has(QR);
  }

  public int opcode() {
    return (flags >> 11) & 0xf;
  }

  public boolean isAuthoritative() {
    return has(AA);
  }

  public boolean isTruncated() {
    return has(TC);
  }

  public boolean recursionDesired() {
    return has(RD);
  }

  public boolean recursionAvailable() {
    return has(RA);
  }

  /** The low four bits of the response code; EDNS holds the upper eight. */
  public int rcode() {
    return flags & 0xf;
  }

  public boolean has(int flag) {
    return (flags & flag) != 0;
  }

  public Header withFlag(int flag, boolean on) {
    return new Header(id, on ? flags | flag : flags & ~flag);
  }

  public Header withRcode(int rcode) {
    return new Header(id, (flags & ~0xf) | (rcode & 0xf));
  }

  /** The flags dig lists ({@code qr aa tc rd ra ad cd}), in its order, space-separated. */
  public String flagNames() {
    var out = new StringBuilder();
    String[] names = {"qr", "aa", "tc", "rd", "ra", "z", "ad", "cd"};
    int[] bits = {QR, AA, TC, RD, RA, Z, AD, CD};
    for (int i = 0; i < bits.length; i++) {
      if (has(bits[i])) {
        out.append(out.isEmpty() ? "" : " ").append(names[i]);
      }
    }
    return out.toString();
  }
}
