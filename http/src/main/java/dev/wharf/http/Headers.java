package dev.wharf.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Header fields in the order they came, names compared without regard to case (RFC 9110 §5.1).
 * Immutable once built.
 */
public final class Headers {
  /** One field line. */
  public record Field(String name, String value) {}

  public static final Headers EMPTY = new Headers(List.of());

  private final List<Field> fields;

  private Headers(List<Field> fields) {
    this.fields = fields;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The first value of a field. */
  public Optional<String> first(String name) {
    for (Field field : fields) {
      if (field.name().equalsIgnoreCase(name)) {
        return Optional.of(field.value());
      }
    }
    return Optional.empty();
  }

  /** Every value of a field, in order. */
  public List<String> all(String name) {
    var values = new ArrayList<String>(1);
    for (Field field : fields) {
      if (field.name().equalsIgnoreCase(name)) {
        values.add(field.value());
      }
    }
    return values;
  }

  public boolean contains(String name) {
    return first(name).isPresent();
  }

  /** True if a comma-separated field holds {@code token} (Connection: close, say). */
  public boolean hasToken(String name, String token) {
    for (String value : all(name)) {
      for (String part : value.split(",")) {
        if (part.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  public List<Field> fields() {
    return fields;
  }

  public int size() {
    return fields.size();
  }

  @Override
  public String toString() {
    return fields.toString();
  }

  /** Collects fields. Not thread-safe. */
  public static final class Builder {
    private final List<Field> fields = new ArrayList<>();

    public Builder add(String name, String value) {
      fields.add(new Field(name, value));
      return this;
    }

    /** Replaces every field of that name with one. */
    public Builder set(String name, String value) {
      fields.removeIf(f -> f.name().equalsIgnoreCase(name));
      return add(name, value);
    }

    public boolean contains(String name) {
      for (Field field : fields) {
        if (field.name().equalsIgnoreCase(name)) {
          return true;
        }
      }
      return false;
    }

    public Headers build() {
      return fields.isEmpty()
          ? EMPTY
          : new Headers(Collections.unmodifiableList(new ArrayList<>(fields)));
    }
  }
}
