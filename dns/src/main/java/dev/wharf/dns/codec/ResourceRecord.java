package dev.wharf.dns.codec;

import java.util.Objects;

/**
 * A resource record (RFC 1035 §4.1.3): owner name, type, class, TTL and data. For the OPT
 * pseudo-record the class and TTL fields carry EDNS's payload size and flags (RFC 6891 §6.1.3): see
 * {@link Edns}.
 *
 * <p>Immutable; any thread.
 */
public record ResourceRecord(DnsName name, int type, int dnsClass, long ttl, RData data) {
  public ResourceRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(data, "data");
    if (type < 0 || type > 0xffff || dnsClass < 0 || dnsClass > 0xffff) {
      throw new IllegalArgumentException("type and class are 16-bit values");
    }
    if (ttl < 0 || ttl > 0xffffffffL) {
      throw new IllegalArgumentException("the TTL is a 32-bit value");
    }
  }

  /**
   * The record as dig prints it in a section: name, TTL, class, type and data in tab-stop columns
   * (24, 32, 40, 48), a single space where a field already passed its column.
   */
  public String toText() {
    var out = new StringBuilder().append(name);
    Columns.advance(out, 24);
    out.append(ttl);
    Columns.advance(out, 32);
    out.append(RecordClass.name(dnsClass));
    Columns.advance(out, 40);
    out.append(RecordType.name(type));
    Columns.advance(out, 48);
    return out.append(data.toText()).toString();
  }
}
