package dev.wharf.dns.codec;

import java.util.ArrayList;

/**
 * Decodes a record's RDATA by its type, within the limit {@link WireReader} was given (the
 * RDLENGTH). Not thread-safe: one decode on one thread.
 */
final class RDataReader {
  private RDataReader() {}

  static RData read(WireReader in, int type, String what) {
    return switch (type) {
      case RecordType.A -> new RData.A(Octets.of(in.bytes(exactly(in, 4, what), what)));
      case RecordType.AAAA -> new RData.Aaaa(Octets.of(in.bytes(exactly(in, 16, what), what)));
      case RecordType.CNAME, RecordType.NS, RecordType.PTR -> new RData.Target(in.name(what));
      case RecordType.SOA ->
          new RData.Soa(
              in.name(what + "'s MNAME"),
              in.name(what + "'s RNAME"),
              in.u32(what),
              in.u32(what),
              in.u32(what),
              in.u32(what),
              in.u32(what));
      case RecordType.MX -> new RData.Mx(in.u16(what), in.name(what + "'s exchange"));
      case RecordType.TXT -> txt(in, what);
      case RecordType.SRV ->
          new RData.Srv(in.u16(what), in.u16(what), in.u16(what), in.name(what + "'s target"));
      case RecordType.CAA -> caa(in, what);
      case RecordType.SVCB, RecordType.HTTPS -> svcb(in, what);
      case RecordType.OPT -> opt(in, what);
      default -> new RData.Unknown(Octets.of(in.bytes(in.remaining(), what)));
    };
  }

  private static int exactly(WireReader in, int size, String what) {
    if (in.remaining() != size) {
      // RFC 1035 §3.4.1 and RFC 3596 §2.2: the address is the whole of the data.
      throw new DnsFormatException(
          what + " holds " + in.remaining() + " octets of data; it must hold " + size,
          in.position());
    }
    return size;
  }

  private static RData txt(WireReader in, String what) {
    // RFC 1035 §3.3.14: one or more <character-string>s, each a length octet and that many octets.
    if (in.remaining() == 0) {
      throw new DnsFormatException(what + " holds no character-string", in.position());
    }
    var strings = new ArrayList<Octets>();
    while (in.remaining() > 0) {
      int length = in.u8(what);
      strings.add(Octets.of(in.bytes(length, what + "'s character-string")));
    }
    return new RData.Txt(strings);
  }

  private static RData caa(WireReader in, String what) {
    int flags = in.u8(what);
    int tagLength = in.u8(what);
    // RFC 8659 §4.1: the tag is 1 to 15 letters and digits.
    if (tagLength == 0 || tagLength > 15) {
      throw new DnsFormatException(
          what + "'s tag length is " + tagLength + "; it must be 1 to 15", in.position() - 1);
    }
    byte[] tag = in.bytes(tagLength, what + "'s tag");
    for (byte b : tag) {
      if (!Character.isLetterOrDigit(b & 0xff) || (b & 0xff) > 0x7f) {
        throw new DnsFormatException(
            what + "'s tag holds a character other than a-z, 0-9", in.position());
      }
    }
    return new RData.Caa(flags, Octets.of(tag), Octets.of(in.bytes(in.remaining(), what)));
  }

  private static RData svcb(WireReader in, String what) {
    int priority = in.u16(what);
    DnsName target = in.name(what + "'s target");
    var params = new ArrayList<SvcParam>();
    int previousKey = -1;
    while (in.remaining() > 0) {
      int at = in.position();
      int key = in.u16(what + "'s SvcParamKey");
      // RFC 9460 §2.2: keys in strictly increasing order, so none repeats.
      if (key <= previousKey) {
        throw new DnsFormatException(
            what
                + "'s SvcParamKeys are not in increasing order ("
                + key
                + " after "
                + previousKey
                + ")",
            at);
      }
      previousKey = key;
      int length = in.u16(what + "'s SvcParam");
      params.add(new SvcParam(key, Octets.of(in.bytes(length, what + "'s SvcParamValue"))));
    }
    return new RData.Svcb(priority, target, params);
  }

  private static RData opt(WireReader in, String what) {
    var options = new ArrayList<EdnsOption>();
    while (in.remaining() > 0) {
      int code = in.u16(what + "'s option code");
      int length = in.u16(what + "'s option length");
      options.add(new EdnsOption(code, Octets.of(in.bytes(length, what + "'s option data"))));
    }
    return new RData.Opt(options);
  }
}
