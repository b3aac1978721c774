package dev.wharf.dns.codec;

/**
 * One EDNS option (RFC 6891 §6.1.2): its code and data octets.
 *
 * <p>Immutable; any thread.
 */
public record EdnsOption(int code, Octets data) {
  public static final int COOKIE = 10;
  public static final int EXTENDED_ERROR = 15;

  public EdnsOption {
    if (code < 0 || code > 0xffff || data.length() > 0xffff) {
      throw new IllegalArgumentException("option code and length are 16-bit values");
    }
  }

  /** As dig's OPT pseudosection prints it, roughly: {@code COOKIE: hex} or {@code OPT=n: hex}. */
  public String toText() {
    return switch (code) {
      case COOKIE -> "COOKIE: " + data.hex();
      case EXTENDED_ERROR ->
          data.length() >= 2
              ? "EDE: "
                  + ((data.get(0) << 8) | data.get(1))
                  + (data.length() > 2
                      ? ": ("
                          + new String(
                              data.toByteArray(),
                              2,
                              data.length() - 2,
                              java.nio.charset.StandardCharsets.UTF_8)
                          + ")"
                      : "")
              : "EDE: " + data.hex();
      default -> "OPT=" + code + ": " + data.hex();
    };
  }
}
