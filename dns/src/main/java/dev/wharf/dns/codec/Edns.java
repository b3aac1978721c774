package dev.wharf.dns.codec;

import java.util.List;

/**
 * EDNS(0) (RFC 6891 §6.1.3) as carried by a message's OPT pseudo-record: the largest UDP payload
 * the sender can take, the upper eight bits of the response code, the version, the flags (DO, RFC
 * 3225) and the options.
 *
 * <p>Immutable; any thread.
 */
public record Edns(
    int udpPayloadSize, int extendedRcode, int version, int flags, List<EdnsOption> options) {
  /** The DNSSEC OK bit (RFC 3225 §3). */
  public static final int DO = 0x8000;

  /** dig's default and the DNS flag day 2020's advice: fits any path without fragments. */
  public static final int DEFAULT_PAYLOAD = 1232;

  public Edns {
    options = List.copyOf(options);
    if (udpPayloadSize < 0
        || udpPayloadSize > 0xffff
        || extendedRcode < 0
        || extendedRcode > 0xff
        || version < 0
        || version > 0xff
        || flags < 0
        || flags > 0xffff) {
      throw new IllegalArgumentException("EDNS fields out of range");
    }
  }

  /** Version 0 with this payload size, DO as asked, no options. */
  public static Edns of(int udpPayloadSize, boolean dnssecOk) {
    return new Edns(udpPayloadSize, 0, 0, dnssecOk ? DO : 0, List.of());
  }

  public boolean dnssecOk() {
    return (flags & DO) != 0;
  }

  /**
   * The payload size a sender may count on: RFC 6891 §6.2.3 says values below 512 are treated as
   * 512.
   */
  public int effectivePayloadSize() {
    return Math.max(512, udpPayloadSize);
  }

  /** EDNS read from an OPT record (RFC 6891 §6.1.2: the class is the size, the TTL the flags). */
  static Edns fromRecord(ResourceRecord opt) {
    long ttl = opt.ttl();
    List<EdnsOption> options = ((RData.Opt) opt.data()).options();
    return new Edns(
        opt.dnsClass(),
        (int) (ttl >>> 24),
        (int) ((ttl >>> 16) & 0xff),
        (int) (ttl & 0xffff),
        options);
  }

  /** The OPT pseudo-record that carries this (owner: the root, RFC 6891 §6.1.2). */
  public ResourceRecord toRecord() {
    long ttl = ((long) extendedRcode << 24) | ((long) version << 16) | flags;
    return new ResourceRecord(
        DnsName.ROOT, RecordType.OPT, udpPayloadSize, ttl, new RData.Opt(options));
  }

  /** As dig's OPT pseudosection's first line: {@code version: 0, flags: do; udp: 1232}. */
  public String toText() {
    return "version: "
        + version
        + ", flags:"
        + (dnssecOk() ? " do" : "")
        + "; udp: "
        + udpPayloadSize;
  }
}
