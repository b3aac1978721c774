package dev.wharf.websocket.codec;

import dev.wharf.http.fields.FieldValues;
import dev.wharf.http.fields.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads Sec-WebSocket-Extensions (RFC 6455 §9.1): a comma-separated list of extensions, each a name
 * with {@code ;}-separated parameters, a parameter a token with an optional token or quoted-string
 * value. The list, parameter and quoted-string syntax is HTTP's ({@link FieldValues}); this class
 * adds WebSocket's own rules. Stateless and thread-safe.
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
    for (FieldValues.Element element : FieldValues.elements(fieldValues)) {
      if (!Tokens.isToken(element.value())) {
        throw new IllegalArgumentException("extension name is not a token: " + element.value());
      }
      var params = new ArrayList<Param>();
      for (FieldValues.Parameter p : element.parameters()) {
        // RFC 6455 §9.1: a quoted value, once unescaped, must still be a token.
        if (p.value().isPresent() && !Tokens.isToken(p.value().get())) {
          throw new IllegalArgumentException("parameter value is not a token: " + p.value().get());
        }
        params.add(new Param(p.name(), p.value()));
      }
      extensions.add(new Extension(element.value().toLowerCase(Locale.ROOT), List.copyOf(params)));
    }
    return extensions;
  }
}
