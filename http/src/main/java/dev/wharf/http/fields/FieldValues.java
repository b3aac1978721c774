package dev.wharf.http.fields;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one parser of HTTP field values (RFC 9110 §5.6): comma-separated lists, list elements with
 * {@code ;name=value} parameters, tokens and quoted-strings with backslash escapes. Commas and
 * semicolons inside a quoted-string separate nothing. Stateless; any thread.
 *
 * <p>Two strengths: {@link #elements} is strict and throws on anything the grammar does not allow
 * (for protocol negotiation, where a wrong guess is worse than a refusal); {@link #element} reads a
 * single-valued field such as Content-Type or Content-Disposition leniently and never throws, as
 * browsers and servers have always done.
 */
public final class FieldValues {
  private FieldValues() {}

  /** One parameter; {@code value} is empty when it came without {@code =value}. */
  public record Parameter(String name, Optional<String> value) {}

  /**
   * One list element: what comes before the first {@code ;}, and its parameters in order.
   *
   * @param value the element without its parameters and surrounding whitespace, as written
   * @param parameters the parameters, quoted-string values unquoted
   */
  public record Element(String value, List<Parameter> parameters) {
    /**
     * The value of the first parameter called {@code name}, ignoring case (RFC 9110 §5.6.6); empty
     * when there is none or it has no value.
     */
    public Optional<String> parameter(String name) {
      for (Parameter p : parameters) {
        if (p.name().equalsIgnoreCase(name)) {
          return p.value();
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The elements of a comma-separated list (RFC 9110 §5.6.1), without the whitespace around them,
   * quoted-strings kept as written. Empty elements are left out, as the RFC tells a recipient to
   * do; an unterminated quoted-string runs to the end.
   */
  public static List<String> list(String fieldValue) {
    var elements = new ArrayList<String>();
    split(fieldValue, false, elements);
    return elements;
  }

  /** {@link #list(String)} over several field lines of one name, in order. */
  public static List<String> list(List<String> fieldValues) {
    var elements = new ArrayList<String>();
    for (String value : fieldValues) {
      split(value, false, elements);
    }
    return elements;
  }

  /**
   * {@link #list(String)} that keeps empty elements as {@code ""}: for fields that frame a message
   * (Content-Length, Transfer-Encoding), where an empty element is refused rather than skipped so
   * that no two parsers read the framing two ways.
   */
  public static List<String> listKeepingEmpty(String fieldValue) {
    var elements = new ArrayList<String>();
    split(fieldValue, true, elements);
    return elements;
  }

  /**
   * Whether one element of the list equals {@code token}, ignoring case ({@code Connection: close},
   * {@code Upgrade: websocket}). Scans in place: it runs for every message and allocates nothing.
   */
  public static boolean contains(String fieldValue, String token) {
    int start = 0;
    int length = fieldValue.length();
    while (start <= length) {
      int end = next(fieldValue, start, ',');
      int from = skipSpace(fieldValue, start, end);
      int to = trimSpace(fieldValue, from, end);
      if (to - from == token.length()
          && fieldValue.regionMatches(true, from, token, 0, to - from)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  /**
   * The elements of the given field lines with their parameters: {@code element *( OWS ";" OWS [
   * name [ "=" ( token / quoted-string ) ] ] )}, as in Accept-Encoding or Sec-WebSocket-Extensions.
   * Empty elements and empty parameters are skipped (§5.6.1, §5.6.6); a parameter may lack its
   * value (RFC 6455 §9.1).
   *
   * @throws IllegalArgumentException when an element has no value, a parameter name or unquoted
   *     value is not a token, or a quoted-string is unterminated, followed by other text or holds a
   *     control character
   */
  public static List<Element> elements(List<String> fieldValues) {
    var elements = new ArrayList<Element>();
    for (String element : list(fieldValues)) {
      elements.add(element(element, true));
    }
    return elements;
  }

  /** {@link #elements(List)} of one field line. */
  public static List<Element> elements(String fieldValue) {
    return elements(List.of(fieldValue));
  }

  /**
   * A single-valued field with parameters, such as {@code multipart/form-data; boundary=x} or
   * {@code form-data; name="f"; filename="a,b.txt"}, read leniently: commas separate nothing, an
   * unquoted value is whatever stands before the next {@code ;}, and a parameter whose
   * quoted-string is unterminated has no value. Never throws.
   */
  public static Element element(String fieldValue) {
    return element(fieldValue, false);
  }

  /** The value of parameter {@code name} of a single-valued field, read as {@link #element}. */
  public static Optional<String> parameter(String fieldValue, String name) {
    return element(fieldValue).parameter(name);
  }

  /** An RFC 8187 ext-value ({@code UTF-8''na%C3%AFve.txt}), decoded; only UTF-8 is accepted. */
  public static Optional<String> decodeExtValue(String extValue) {
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

  private static Element element(String text, boolean strict) {
    int semicolon = next(text, 0, ';');
    String value = trimmed(text, 0, semicolon);
    if (strict && value.isEmpty()) {
      throw new IllegalArgumentException("a list element without a value: " + text);
    }
    var parameters = new ArrayList<Parameter>();
    while (semicolon < text.length()) {
      int from = semicolon + 1;
      semicolon = next(text, from, ';');
      String parameter = trimmed(text, from, semicolon);
      if (!parameter.isEmpty()) { // RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] )
        parameters.add(parameter(parameter, strict));
      }
    }
    return new Element(value, List.copyOf(parameters));
  }

  private static Parameter parameter(String text, boolean strict) {
    int equals = text.indexOf('=');
    String name = equals < 0 ? text : trimmed(text, 0, equals);
    if (strict && !Tokens.isToken(name)) {
      throw new IllegalArgumentException("parameter name is not a token: " + text);
    }
    if (equals < 0) {
      return new Parameter(name, Optional.empty());
    }
    String raw = trimmed(text, equals + 1, text.length());
    if (raw.startsWith("\"")) {
      return new Parameter(name, unquote(raw, strict));
    }
    if (strict && !Tokens.isToken(raw)) {
      throw new IllegalArgumentException("parameter value is not a token: " + text);
    }
    return new Parameter(name, Optional.of(raw));
  }

  /**
   * RFC 9110 §5.6.4: the content of a quoted-string, each quoted-pair {@code \x} read as {@code x}.
   * Strict, anything but whitespace after the closing quote is an error; lenient, it is ignored.
   */
  private static Optional<String> unquote(String quoted, boolean strict) {
    var out = new StringBuilder(quoted.length());
    for (int i = 1; i < quoted.length(); i++) {
      char c = quoted.charAt(i);
      if (c == '"') {
        if (strict && i != quoted.length() - 1) {
          throw new IllegalArgumentException("text after a quoted-string: " + quoted);
        }
        return Optional.of(out.toString());
      }
      if (c == '\\' && i + 1 < quoted.length()) {
        c = quoted.charAt(++i);
      }
      // qdtext and quoted-pair: HTAB, SP, VCHAR, obs-text; never a control.
      if (strict && !(c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff))) {
        throw new IllegalArgumentException("control character in a quoted-string: " + quoted);
      }
      out.append(c);
    }
    if (strict) {
      throw new IllegalArgumentException("unterminated quoted-string: " + quoted);
    }
    return Optional.empty();
  }

  private static void split(String value, boolean keepEmpty, List<String> out) {
    int start = 0;
    while (true) {
      int end = next(value, start, ',');
      String element = trimmed(value, start, end);
      if (keepEmpty || !element.isEmpty()) {
        out.add(element);
      }
      if (end >= value.length()) {
        return;
      }
      start = end + 1;
    }
  }

  /** The index of the next {@code separator} at or after {@code from} outside quotes, or length. */
  private static int next(String text, int from, char separator) {
    boolean quoted = false;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++; // A quoted-pair: the next character is taken as it is, even a quote.
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == separator) {
        return i;
      }
    }
    return text.length();
  }

  private static String trimmed(String text, int from, int to) {
    int start = skipSpace(text, from, to);
    return text.substring(start, trimSpace(text, start, to));
  }

  private static int skipSpace(String text, int from, int to) {
    while (from < to && isSpace(text.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimSpace(String text, int from, int to) {
    while (to > from && isSpace(text.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  /** RFC 9110 §5.6.3: OWS is spaces and horizontal tabs. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
