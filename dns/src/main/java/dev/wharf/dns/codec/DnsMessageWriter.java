package dev.wharf.dns.codec;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a {@link Message} into its wire form (RFC 1035 §4.1), compressing names (§4.1.4) in the
 * question, in owner names and in the data of the types RFC 3597 §4 allows (CNAME, NS, PTR, SOA,
 * MX); never in the data of newer types, whose readers need not decompress.
 *
 * <p>Not thread-safe: one per message; {@link #write(Message)} makes one for you.
 */
public final class DnsMessageWriter {
  /** A pointer holds a 14-bit offset. */
  private static final int MAX_POINTER = 0x3fff;

  private final Output out = new Output();
  private final Map<String, Integer> suffixes = new HashMap<>();

  private DnsMessageWriter() {}

  /** The message's octets. */
  public static byte[] write(Message message) {
    return new DnsMessageWriter().encode(message);
  }

  private byte[] encode(Message message) {
    u16(message.header().id());
    u16(message.header().flags());
    u16(count(message.questions()));
    u16(count(message.answers()));
    u16(count(message.authority()));
    u16(count(message.additional()));
    for (Question q : message.questions()) {
      name(q.name(), true);
      u16(q.type());
      u16(q.dnsClass());
    }
    for (List<ResourceRecord> section :
        List.of(message.answers(), message.authority(), message.additional())) {
      for (ResourceRecord record : section) {
        record(record);
      }
    }
    return out.toByteArray();
  }

  private static int count(List<?> section) {
    if (section.size() > 0xffff) {
      throw new IllegalArgumentException("a section holds at most 65535 entries");
    }
    return section.size();
  }

  private void record(ResourceRecord record) {
    name(record.name(), true);
    u16(record.type());
    u16(record.dnsClass());
    u32(record.ttl());
    int lengthAt = out.size();
    u16(0);
    rdata(record.data());
    int length = out.size() - lengthAt - 2;
    if (length > 0xffff) {
      throw new IllegalArgumentException("record data longer than 65535 octets");
    }
    out.set(lengthAt, length >> 8);
    out.set(lengthAt + 1, length);
  }

  private void rdata(RData data) {
    switch (data) {
      case RData.A a -> out.writeBytes(a.address().unsafe());
      case RData.Aaaa aaaa -> out.writeBytes(aaaa.address().unsafe());
      case RData.Target target -> name(target.name(), true);
      case RData.Soa soa -> {
        name(soa.mname(), true);
        name(soa.rname(), true);
        u32(soa.serial());
        u32(soa.refresh());
        u32(soa.retry());
        u32(soa.expire());
        u32(soa.minimum());
      }
      case RData.Mx mx -> {
        u16(mx.preference());
        name(mx.exchange(), true);
      }
      case RData.Txt txt -> {
        for (Octets s : txt.strings()) {
          out.write(s.length());
          out.writeBytes(s.unsafe());
        }
      }
      case RData.Srv srv -> {
        u16(srv.priority());
        u16(srv.weight());
        u16(srv.port());
        name(srv.target(), false); // RFC 2782: no compression of the target
      }
      case RData.Caa caa -> {
        out.write(caa.flags());
        out.write(caa.tag().length());
        out.writeBytes(caa.tag().unsafe());
        out.writeBytes(caa.value().unsafe());
      }
      case RData.Svcb svcb -> {
        u16(svcb.priority());
        name(svcb.target(), false); // RFC 9460 §2.2: the target is not compressed
        for (SvcParam param : svcb.params()) {
          u16(param.key());
          u16(param.value().length());
          out.writeBytes(param.value().unsafe());
        }
      }
      case RData.Opt opt -> {
        for (EdnsOption option : opt.options()) {
          u16(option.code());
          u16(option.data().length());
          out.writeBytes(option.data().unsafe());
        }
      }
      case RData.Unknown unknown -> out.writeBytes(unknown.data().unsafe());
    }
  }

  /** Writes a name, ending in a pointer to an earlier copy of its longest known suffix. */
  private void name(DnsName name, boolean compress) {
    String key = name.canonicalKey();
    int keyAt = 0;
    for (int i = 0; i < name.labelCount(); i++) {
      String suffix = key.substring(keyAt);
      Integer earlier = compress ? suffixes.get(suffix) : null;
      if (earlier != null) {
        u16(0xc000 | earlier);
        return;
      }
      if (out.size() <= MAX_POINTER) {
        suffixes.putIfAbsent(suffix, out.size());
      }
      byte[] label = name.labelUnsafe(i);
      out.write(label.length);
      out.writeBytes(label);
      keyAt += label.length + 1;
    }
    out.write(0);
  }

  private void u16(int value) {
    out.write(value >> 8);
    out.write(value);
  }

  private void u32(long value) {
    u16((int) (value >>> 16) & 0xffff);
    u16((int) value & 0xffff);
  }

  /** A growable array of octets that can patch what it wrote (a record's RDLENGTH). */
  private static final class Output {
    private byte[] bytes = new byte[512];
    private int size;

    int size() {
      return size;
    }

    void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    void writeBytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, bytes, size, b.length);
      size += b.length;
    }

    void set(int index, int b) {
      bytes[index] = (byte) b;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }
  }
}
