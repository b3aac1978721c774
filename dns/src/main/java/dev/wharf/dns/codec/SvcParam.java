package dev.wharf.dns.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * One SvcParam of an SVCB or HTTPS record (RFC 9460 §2.2): its key and its value octets; {@link
 * #toText()} writes it as dig does ({@code alpn="h2,h3"}, {@code port=8443}, {@code key667="x"}).
 *
 * <p>Immutable; any thread.
 */
public record SvcParam(int key, Octets value) {
  public static final int MANDATORY = 0;
  public static final int ALPN = 1;
  public static final int NO_DEFAULT_ALPN = 2;
  public static final int PORT = 3;
  public static final int IPV4HINT = 4;
  public static final int ECH = 5;
  public static final int IPV6HINT = 6;
  public static final int DOHPATH = 7;

  /** The key's name (RFC 9460 §14.3.2), or {@code keyNNNNN}. */
  public static String keyName(int key) {
    return switch (key) {
      case MANDATORY -> "mandatory";
      case ALPN -> "alpn";
      case NO_DEFAULT_ALPN -> "no-default-alpn";
      case PORT -> "port";
      case IPV4HINT -> "ipv4hint";
      case ECH -> "ech";
      case IPV6HINT -> "ipv6hint";
      case DOHPATH -> "dohpath";
      default -> "key" + key;
    };
  }

  public String toText() {
    String known = knownValue();
    if (known != null) {
      return known.isEmpty() ? keyName(key) : keyName(key) + "=" + known;
    }
    // A value that does not fit its key's format is printed as an unknown key's would be.
    return value.length() == 0 ? "key" + key : "key" + key + "=" + Presentation.quoted(value);
  }

  /** The value in its key's format, "" for a key without one, or null when it does not parse. */
  private String knownValue() {
    byte[] v = value.unsafe();
    switch (key) {
      case MANDATORY -> {
        if (v.length == 0 || v.length % 2 != 0) {
          return null;
        }
        var keys = new ArrayList<String>();
        for (int i = 0; i < v.length; i += 2) {
          keys.add(keyName(((v[i] & 0xff) << 8) | (v[i + 1] & 0xff)));
        }
        return String.join(",", keys);
      }
      case ALPN -> {
        List<Octets> ids = new ArrayList<>();
        for (int i = 0; i < v.length; ) {
          int n = v[i] & 0xff;
          if (n == 0 || i + 1 + n > v.length) {
            return null;
          }
          ids.add(Octets.of(java.util.Arrays.copyOfRange(v, i + 1, i + 1 + n)));
          i += 1 + n;
        }
        if (ids.isEmpty()) {
          return null;
        }
        var out = new StringBuilder("\"");
        for (Octets id : ids) {
          // A comma inside an ALPN id is escaped twice: once for the list, once for the string.
          out.append(out.length() == 1 ? "" : ",")
              .append(Presentation.escaped(id, "\"\\").replace(",", "\\\\,"));
        }
        return out.append('"').toString();
      }
      case NO_DEFAULT_ALPN -> {
        return v.length == 0 ? "" : null;
      }
      case PORT -> {
        return v.length == 2 ? Integer.toString(((v[0] & 0xff) << 8) | (v[1] & 0xff)) : null;
      }
      case IPV4HINT, IPV6HINT -> {
        int size = key == IPV4HINT ? 4 : 16;
        if (v.length == 0 || v.length % size != 0) {
          return null;
        }
        var out = new StringBuilder();
        for (int i = 0; i < v.length; i += size) {
          out.append(i == 0 ? "" : ",")
              .append(
                  size == 4
                      ? Presentation.ipv4(v, i)
                      : dev.wharf.core.Addresses.ipv6(java.util.Arrays.copyOfRange(v, i, i + 16)));
        }
        return out.toString();
      }
      case ECH -> {
        return v.length == 0 ? null : Presentation.base64(value);
      }
      default -> {
        return null;
      }
    }
  }
}
