package dev.wharf.dns;

import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.Question;
import java.util.Objects;

/**
 * What to ask: the question, whether to ask for recursion (RD), the EDNS payload size to announce
 * (0 for no EDNS), the DO bit, and whether to ask over TCP from the start.
 *
 * <p>Immutable; any thread.
 */
public record DnsQuery(
    Question question,
    boolean recursionDesired,
    int ednsPayloadSize,
    boolean dnssecOk,
    boolean tcp) {
  public DnsQuery {
    Objects.requireNonNull(question, "question");
    if (ednsPayloadSize < 0 || ednsPayloadSize > 0xffff) {
      throw new IllegalArgumentException("the EDNS payload size is 0 to 65535");
    }
  }

  /** dig's defaults: recursion desired, EDNS with a 1232-octet payload, UDP first. */
  public static DnsQuery of(Question question) {
    return new DnsQuery(question, true, Edns.DEFAULT_PAYLOAD, false, false);
  }

  public DnsQuery withRecursionDesired(boolean value) {
    return new DnsQuery(question, value, ednsPayloadSize, dnssecOk, tcp);
  }

  public DnsQuery withEdns(int payloadSize, boolean dnssecOk) {
    return new DnsQuery(question, recursionDesired, payloadSize, dnssecOk, tcp);
  }

  public DnsQuery withTcp(boolean value) {
    return new DnsQuery(question, recursionDesired, ednsPayloadSize, dnssecOk, value);
  }
}
