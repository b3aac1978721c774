package dev.wharf.dns.codec;

import java.util.Objects;

/**
 * An entry of the question section (RFC 1035 §4.1.2): name, type and class.
 *
 * <p>Immutable; any thread.
 */
public record Question(DnsName name, int type, int dnsClass) {
  public Question {
    Objects.requireNonNull(name, "name");
    if (type < 0 || type > 0xffff || dnsClass < 0 || dnsClass > 0xffff) {
      throw new IllegalArgumentException("type and class are 16-bit values");
    }
  }

  /** Whether an answer's question is this one: the name ignoring case, RFC 1035 §2.3.3. */
  public boolean matches(Question other) {
    return name.equals(other.name) && type == other.type && dnsClass == other.dnsClass;
  }

  @Override
  public String toString() {
    return name + " " + RecordClass.name(dnsClass) + " " + RecordType.name(type);
  }
}
