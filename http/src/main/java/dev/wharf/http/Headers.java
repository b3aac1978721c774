package dev.wharf.http;

import dev.wharf.http.fields.FieldValues;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * Header fields in the order they came, names compared without regard to case (RFC 9110 §5.1).
 * Immutable once built.
 *
 * <p>The fields are kept as one flat array of names and values, and the lookups ({@link #contains},
 * {@link #count}, {@link #hasToken}, {@link #name(int)}, {@link #value(int)}) scan it by index: a
 * server looks up a handful of fields on every request, and a list or iterator per lookup was a
 * large share of what a request cost the garbage collector. {@link #all} and {@link #fields()}
 * build lists for callers that want them.
 */
public final class Headers {
  /** One field line. */
  public record Field(String name, String value) {}

  public static final Headers EMPTY = new Headers(new String[0]);

  /** Name of field i at 2i, its value at 2i + 1; exactly twice as long as there are fields. */
  private final String[] namesAndValues;

  private Headers(String[] namesAndValues) {
    this.namesAndValues = namesAndValues;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The first value of a field. */
  public Optional<String> first(String name) {
    int i = indexOf(namesAndValues, namesAndValues.length, name);
    return i < 0 ? Optional.empty() : Optional.of(namesAndValues[i + 1]);
  }

  /** Every value of a field, in order, in a new list. */
  public List<String> all(String name) {
    var values = new ArrayList<String>(1);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i].equalsIgnoreCase(name)) {
        values.add(namesAndValues[i + 1]);
      }
    }
    return values;
  }

  public boolean contains(String name) {
    return indexOf(namesAndValues, namesAndValues.length, name) >= 0;
  }

  /** How many field lines have this name. */
  public int count(String name) {
    int count = 0;
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i].equalsIgnoreCase(name)) {
        count++;
      }
    }
    return count;
  }

  /** True if a comma-separated field holds {@code token} (Connection: close, say). */
  public boolean hasToken(String name, String token) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i].equalsIgnoreCase(name)
          && FieldValues.contains(namesAndValues[i + 1], token)) {
        return true;
      }
    }
    return false;
  }

  /** These fields less every field with one of {@code names}. */
  public Headers without(String... names) {
    var kept = builder();
    fields:
    for (int i = 0; i < namesAndValues.length; i += 2) {
      for (String name : names) {
        if (namesAndValues[i].equalsIgnoreCase(name)) {
          continue fields;
        }
      }
      kept.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return kept.build();
  }

  /** The name of field {@code index} (0 to {@link #size()} - 1), as it came. */
  public String name(int index) {
    return namesAndValues[2 * index];
  }

  /** The value of field {@code index} (0 to {@link #size()} - 1). */
  public String value(int index) {
    return namesAndValues[2 * index + 1];
  }

  /** The fields as an unmodifiable list, each {@link Field} made as it is read. */
  public List<Field> fields() {
    return new FieldList();
  }

  public int size() {
    return namesAndValues.length / 2;
  }

  @Override
  public String toString() {
    return fields().toString();
  }

  /** Index of the first name equal to {@code name} (ignoring case) among the first slots. */
  private static int indexOf(String[] namesAndValues, int used, String name) {
    for (int i = 0; i < used; i += 2) {
      if (namesAndValues[i].equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /** A read-only view of the fields. */
  private final class FieldList extends AbstractList<Field> implements RandomAccess {
    @Override
    public Field get(int index) {
      return new Field(name(index), value(index));
    }

    @Override
    public int size() {
      return Headers.this.size();
    }
  }

  /** Collects fields. Not thread-safe. */
  public static final class Builder {
    /** Room for four fields, what a response usually has besides its framing. */
    private String[] namesAndValues = new String[8];

    private int used;

    public Builder add(String name, String value) {
      if (used == namesAndValues.length) {
        namesAndValues = Arrays.copyOf(namesAndValues, used * 2);
      }
      namesAndValues[used++] = name;
      namesAndValues[used++] = value;
      return this;
    }

    /** Replaces every field of that name with one. */
    public Builder set(String name, String value) {
      remove(name);
      return add(name, value);
    }

    /** Removes every field of that name. */
    public Builder remove(String name) {
      int first = indexOf(namesAndValues, used, name);
      if (first < 0) {
        // Nearly always so (a server removes Content-Length before it writes its own): rewriting
        // the fields in place would store every reference again, each through the collector's
        // write barrier, which in a builder reused from response to response is not free.
        return this;
      }
      int kept = first;
      for (int i = first; i < used; i += 2) {
        if (!namesAndValues[i].equalsIgnoreCase(name)) {
          namesAndValues[kept++] = namesAndValues[i];
          namesAndValues[kept++] = namesAndValues[i + 1];
        }
      }
      Arrays.fill(namesAndValues, kept, used, null);
      used = kept;
      return this;
    }

    public boolean contains(String name) {
      return indexOf(namesAndValues, used, name) >= 0;
    }

    /** How many fields are collected so far. */
    public int size() {
      return used / 2;
    }

    /** The name of field {@code index} (0 to {@link #size()} - 1), as added. */
    public String name(int index) {
      return namesAndValues[2 * index];
    }

    /** The value of field {@code index} (0 to {@link #size()} - 1). */
    public String value(int index) {
      return namesAndValues[2 * index + 1];
    }

    /** Forgets every field, keeping the room, to collect the next set. */
    public Builder clear() {
      Arrays.fill(namesAndValues, 0, used, null);
      used = 0;
      return this;
    }

    /** The fields so far; the builder may go on (or be cleared) without changing them. */
    public Headers build() {
      return used == 0 ? EMPTY : new Headers(Arrays.copyOf(namesAndValues, used));
    }
  }
}
