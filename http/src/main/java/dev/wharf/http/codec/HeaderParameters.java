package dev.wharf.http.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Parameters of a header value such as {@code form-data; name="file"; filename="a b.txt"} (RFC 9110
 * §5.6.6): token or quoted-string values, names compared case-insensitively.
 */
final class HeaderParameters {
  private HeaderParameters() {}

  /** The value of parameter {@code name}, unquoted, if present. */
  static Optional<String> get(String headerValue, String name) {
    int i = headerValue.indexOf(';');
    while (i >= 0 && i < headerValue.length()) {
      i++; // Past ';'.
      while (i < headerValue.length() && isSpace(headerValue.charAt(i))) {
        i++;
      }
      int equals = headerValue.indexOf('=', i);
      if (equals < 0) {
        return Optional.empty();
      }
      String parameter = headerValue.substring(i, equals).trim();
      int valueStart = equals + 1;
      String value;
      int next;
      if (valueStart < headerValue.length() && headerValue.charAt(valueStart) == '"') {
        var out = new StringBuilder();
        int j = valueStart + 1;
        while (j < headerValue.length() && headerValue.charAt(j) != '"') {
          char c = headerValue.charAt(j);
          if (c == '\\' && j + 1 < headerValue.length()) {
            c = headerValue.charAt(++j);
          }
          out.append(c);
          j++;
        }
        if (j >= headerValue.length()) {
          return Optional.empty(); // Unterminated quoted string.
        }
        value = out.toString();
        next = headerValue.indexOf(';', j + 1);
      } else {
        next = headerValue.indexOf(';', valueStart);
        value = headerValue.substring(valueStart, next < 0 ? headerValue.length() : next).trim();
      }
      if (parameter.equalsIgnoreCase(name)) {
        return Optional.of(value);
      }
      i = next;
    }
    return Optional.empty();
  }

  /** An RFC 8187 ext-value ({@code UTF-8''na%C3%AFve.txt}), decoded; only UTF-8 is accepted. */
  static Optional<String> decodeExtValue(String extValue) {
    int first = extValue.indexOf('\'');
    int second = first < 0 ? -1 : extValue.indexOf('\'', first + 1);
    if (second < 0 || !extValue.substring(0, first).equalsIgnoreCase("UTF-8")) {
      return Optional.empty();
    }
    String encoded = extValue.substring(second + 1);
    var bytes = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%' && i + 2 < encoded.length()) {
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c == '%' || c > 0x7e) {
        return Optional.empty();
      } else {
        bytes.write(c);
      }
    }
    return Optional.of(bytes.toString(StandardCharsets.UTF_8));
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
