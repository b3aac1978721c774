package dev.wharf.http.h2.hpack;

import java.util.Objects;

/**
 * One header field as HPACK carries it: a name and a value, each an ISO-8859-1 string (one char per
 * octet). Immutable, so any thread may use it.
 */
public record HeaderField(String name, String value) {
  public HeaderField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  /** RFC 7541 §4.1 and RFC 9113 §6.5.2: octets of the name and the value, plus 32. */
  public long size() {
    return DynamicTable.entrySize(name, value);
  }

  @Override
  public String toString() {
    return name + ": " + value;
  }
}
