package dev.wharf.channels.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jackson's streaming parser and generator, as the protocol uses them: a message is one JSON object
 * whose fields are kept as the exact text of their values ({@link #fields}), so that a published
 * {@code data} travels on character for character, whitespace and number spelling included.
 * Duplicate field names are refused (RFC 8259 §4 leaves their meaning open). Stateless; any thread.
 */
public final class Json {
  static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private Json() {}

  /**
   * The fields of a JSON text that must be exactly one object, in order, each value as its text.
   *
   * @throws ProtocolException (bad request) if the text is not one JSON object
   */
  public static Map<String, String> fields(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "a message must be a JSON object");
      }
      var fields = new LinkedHashMap<String, String>();
      JsonToken token = parser.nextToken();
      while (token == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        int start = (int) parser.currentTokenLocation().getCharOffset();
        parser.skipChildren();
        // The value ends where the next field name or the closing brace starts, less the comma
        // and whitespace between: a JSON value never ends with either.
        token = parser.nextToken();
        int end = (int) parser.currentTokenLocation().getCharOffset();
        fields.put(name, text.substring(start, trimSeparator(text, start, end)));
      }
      if (parser.nextToken() != null) {
        throw new ProtocolException(
            ErrorCode.BAD_REQUEST, "a message must be one JSON object, with nothing after it");
      }
      return fields;
    } catch (JacksonException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "malformed JSON: " + describe(e));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a String source does no I/O
    }
  }

  private static int trimSeparator(String text, int start, int end) {
    while (end > start && isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    if (end > start && text.charAt(end - 1) == ',') {
      end--;
    }
    while (end > start && isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  /** JSON's whitespace (RFC 8259 §2). */
  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /** Jackson's message without the location suffix, cut short: it may quote the input. */
  private static String describe(JacksonException e) {
    String message = e.getOriginalMessage();
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    message = message.replace('\n', ' ');
    int marker = message.indexOf(" (start marker at");
    if (marker > 0) {
      message = message.substring(0, marker); // a location in Jackson's words; ours follows
    }
    var location = e.getLocation();
    String at =
        location == null || location.getCharOffset() < 0
            ? ""
            : " at character " + location.getCharOffset();
    return (message.length() > 160 ? message.substring(0, 160) + "..." : message) + at;
  }

  /** Whether {@code text} is exactly one JSON value (with whitespace around it at most). */
  public static boolean isValue(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  /** A JSON string holding {@code value}. */
  public static String quote(String value) {
    var out = new StringWriter(value.length() + 2);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      generator.writeString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The JSON value's text on one line: whitespace outside strings removed. */
  public static String compact(String value) {
    var out = new StringWriter(value.length());
    try (JsonParser parser = FACTORY.createParser(value);
        JsonGenerator generator = FACTORY.createGenerator(out)) {
      parser.nextToken();
      generator.copyCurrentStructure(parser);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The string a JSON string value holds, or {@code null} if the value is not a string. */
  public static String stringValue(String rawValue) {
    try (JsonParser parser = FACTORY.createParser(rawValue)) {
      return parser.nextToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** A JSON integer's value if it fits a long, else {@code null}. */
  static Long longValue(String rawValue) {
    try (JsonParser parser = FACTORY.createParser(rawValue)) {
      if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        return null;
      }
      JsonParser.NumberType type = parser.getNumberType();
      return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG
          ? parser.getLongValue()
          : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether a value's text is a JSON string or number (what an id may be). */
  static boolean isScalarId(String rawValue) {
    char first = rawValue.isEmpty() ? ' ' : rawValue.charAt(0);
    return first == '"' || first == '-' || (first >= '0' && first <= '9');
  }
}
