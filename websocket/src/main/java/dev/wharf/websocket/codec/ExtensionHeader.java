package dev.wharf.websocket.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses Sec-WebSocket-Extensions (RFC 6455 §9.1): a comma-separated list of extensions, each a
 * name with {@code ;}-separated parameters, a parameter a token with an optional token or
 * quoted-string value. Stateless and thread-safe.
 */
public final class ExtensionHeader {
  private ExtensionHeader() {}

  /** One parameter; {@code value} is empty for a parameter without one. */
  public record Param(String name, Optional<String> value) {}

  /** One extension offered or accepted, with its parameters in order. */
  public record Extension(String name, List<Param> params) {
    /** The value of a parameter, or empty (also when it appears without a value). */
    public Optional<Param> param(String paramName) {
      for (Param p : params) {
        if (p.name().equals(paramName)) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Every extension in the given field values, in order.
   *
   * @throws IllegalArgumentException if a value does not follow the grammar
   */
  public static List<Extension> parse(List<String> fieldValues) {
    var extensions = new ArrayList<Extension>();
    for (String value : fieldValues) {
      for (String element : splitOutsideQuotes(value, ',')) {
        if (element.isBlank()) {
          continue;
        }
        List<String> parts = splitOutsideQuotes(element, ';');
        String name = token(parts.get(0).trim());
        var params = new ArrayList<Param>();
        for (int i = 1; i < parts.size(); i++) {
          String part = parts.get(i).trim();
          int eq = part.indexOf('=');
          if (eq < 0) {
            params.add(new Param(token(part), Optional.empty()));
          } else {
            String raw = part.substring(eq + 1).trim();
            if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
              raw = raw.substring(1, raw.length() - 1).replace("\\", "");
            }
            params.add(new Param(token(part.substring(0, eq).trim()), Optional.of(token(raw))));
          }
        }
        extensions.add(new Extension(name.toLowerCase(Locale.ROOT), List.copyOf(params)));
      }
    }
    return extensions;
  }

  private static List<String> splitOutsideQuotes(String text, char separator) {
    var parts = new ArrayList<String>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted) {
        i++;
      } else if (c == separator && !quoted) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quoted string in " + text);
    }
    parts.add(text.substring(start));
    return parts;
  }

  private static String token(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty token");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // RFC 9110 §5.6.2: tchar.
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException("not a token: " + text);
      }
    }
    return text;
  }
}
