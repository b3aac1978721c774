package dev.wharf.dns.server;

import dev.wharf.dns.codec.Octets;
import dev.wharf.dns.codec.SvcParam;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;

/**
 * The SvcParams of an SVCB or HTTPS record in a master file, in RFC 9460's presentation form
 * ({@code alpn="h2,h3" port=8443 ipv4hint=192.0.2.1 mandatory=alpn no-default-alpn key667=x}),
 * turned into their wire values and sorted by key, as the wire form requires (§2.2). Values are
 * character-strings (quoted or not, with escapes); list values are then split on commas that are
 * not escaped (Appendix A.1), so {@code alpn="h2\\,x"} is the one id {@code h2,x}.
 *
 * <p>Stateless; any thread.
 */
final class SvcParamsText {
  private SvcParamsText() {}

  /** The parameters of {@code tokens}; IllegalArgumentException names the one that is wrong. */
  static List<SvcParam> parse(List<String> tokens) {
    var byKey = new TreeMap<Integer, SvcParam>();
    for (String token : tokens) {
      int eq = token.indexOf('=');
      String keyText = eq < 0 ? token : token.substring(0, eq);
      int key = key(keyText);
      byte[] raw = eq < 0 ? null : ZoneFileParser.characterString(token.substring(eq + 1));
      SvcParam param = new SvcParam(key, Octets.of(value(key, keyText, raw)));
      if (byKey.put(key, param) != null) {
        throw new IllegalArgumentException("the SvcParam " + keyText + " is given twice");
      }
    }
    SvcParam mandatory = byKey.get(SvcParam.MANDATORY);
    if (mandatory != null) {
      for (int i = 0; i < mandatory.value().length(); i += 2) {
        int listed = (mandatory.value().get(i) << 8) | mandatory.value().get(i + 1);
        if (!byKey.containsKey(listed)) {
          throw new IllegalArgumentException(
              "mandatory lists " + SvcParam.keyName(listed) + ", which the record does not have");
        }
      }
    }
    return List.copyOf(byKey.values());
  }

  private static int key(String text) {
    for (int key = SvcParam.MANDATORY; key <= SvcParam.DOHPATH; key++) {
      if (SvcParam.keyName(key).equals(text)) {
        return key;
      }
    }
    if (text.startsWith("key")
        && text.length() > 3
        && text.chars().skip(3).allMatch(Character::isDigit)) {
      int key = Integer.parseInt(text.substring(3, Math.min(text.length(), 9)));
      if (key <= 65534) {
        return key;
      }
    }
    throw new IllegalArgumentException("'" + text + "' is no SvcParam key");
  }

  private static byte[] value(int key, String keyText, byte[] raw) {
    if (key == SvcParam.NO_DEFAULT_ALPN) {
      if (raw != null) {
        throw new IllegalArgumentException("no-default-alpn takes no value");
      }
      return new byte[0];
    }
    if (raw == null || (raw.length == 0 && key <= SvcParam.DOHPATH)) {
      if (key > SvcParam.DOHPATH) {
        return new byte[0]; // an unknown key may have an empty value
      }
      throw new IllegalArgumentException(keyText + " needs a value");
    }
    var out = new ByteArrayOutputStream();
    switch (key) {
      case SvcParam.MANDATORY -> {
        var keys = new java.util.TreeSet<Integer>();
        for (String name : items(raw)) {
          int listed = key(name);
          if (listed == SvcParam.MANDATORY || !keys.add(listed)) {
            throw new IllegalArgumentException("mandatory cannot list " + name + " here");
          }
        }
        keys.forEach(k -> out.writeBytes(new byte[] {(byte) (k >> 8), (byte) (int) k}));
      }
      case SvcParam.ALPN -> {
        for (String id : items(raw)) {
          byte[] bytes = id.getBytes(StandardCharsets.ISO_8859_1);
          if (bytes.length == 0 || bytes.length > 255) {
            throw new IllegalArgumentException("an ALPN id holds 1 to 255 octets");
          }
          out.write(bytes.length);
          out.writeBytes(bytes);
        }
      }
      case SvcParam.PORT -> {
        int port = ZoneFileParser.u16(new String(raw, StandardCharsets.ISO_8859_1));
        out.writeBytes(new byte[] {(byte) (port >> 8), (byte) port});
      }
      case SvcParam.IPV4HINT, SvcParam.IPV6HINT -> {
        for (String item : items(raw)) {
          out.writeBytes(address(item, key == SvcParam.IPV4HINT));
        }
      }
      case SvcParam.ECH -> {
        try {
          out.writeBytes(Base64.getDecoder().decode(raw));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("ech needs base64, not '" + latin1(raw) + "'");
        }
      }
      default -> out.writeBytes(raw); // dohpath and keyNNNNN: the octets as written
    }
    if (out.size() > 65535) {
      throw new IllegalArgumentException(keyText + "'s value is longer than 65,535 octets");
    }
    return out.toByteArray();
  }

  /** A value-list's items (RFC 9460 Appendix A.1): split on commas, "\," and "\\" unescaped. */
  private static List<String> items(byte[] value) {
    var items = new ArrayList<String>();
    var item = new StringBuilder();
    String text = latin1(value);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        item.append(text.charAt(++i));
      } else if (c == ',') {
        items.add(item.toString());
        item.setLength(0);
      } else {
        item.append(c);
      }
    }
    items.add(item.toString());
    return items;
  }

  private static byte[] address(String text, boolean v4) {
    InetAddress address;
    try {
      address = InetAddress.ofLiteral(text);
    } catch (IllegalArgumentException e) {
      address = null;
    }
    if (v4 ? !(address instanceof Inet4Address) : !(address instanceof Inet6Address)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an IPv" + (v4 ? "4" : "6") + " address");
    }
    return address.getAddress();
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
