package dev.wharf.dns.server;

import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Opcode;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.RData;
import dev.wharf.dns.codec.Rcode;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The answers of an authoritative server for its zones (RFC 1034 §4.3.2's algorithm): the records
 * asked for with AA set; a CNAME and what it leads to in the zone; answers made from a wildcard for
 * names that do not exist (RFC 4592); NODATA or NXDOMAIN with the SOA in authority (RFC 2308 §3); a
 * referral below a zone cut, with glue; REFUSED for names outside every zone.
 *
 * <p>Immutable; any thread.
 */
public final class Authority {
  private static final int MAX_CNAME_CHAIN = 8;
  private static final byte[] WILDCARD_LABEL = {'*'};

  private final List<Zone> zones;

  public Authority(List<Zone> zones) {
    this.zones = List.copyOf(zones);
  }

  /** The response to {@code query}, before any truncation. */
  public Message answer(Message query) {
    Header header =
        new Header(
            query.header().id(),
            Header.QR | (query.header().flags() & Header.RD) | (query.header().opcode() << 11));
    Optional<Edns> edns = query.edns();
    List<ResourceRecord> opt =
        edns.isPresent()
            // RFC 3225 §3: the DO bit is copied into the response.
            ? List.of(Edns.of(Edns.DEFAULT_PAYLOAD, edns.get().dnssecOk()).toRecord())
            : List.of();
    if (query.header().opcode() != Opcode.QUERY) {
      return reply(header.withRcode(Rcode.NOTIMP), query, List.of(), List.of(), opt);
    }
    if (query.questions().size() != 1) {
      return reply(header.withRcode(Rcode.FORMERR), query, List.of(), List.of(), opt);
    }
    Question question = query.questions().getFirst();
    Zone zone = zoneFor(question.name()).orElse(null);
    if (zone == null || question.dnsClass() != RecordClass.IN) {
      return reply(header.withRcode(Rcode.REFUSED), query, List.of(), List.of(), opt);
    }
    // Zone transfers are not served (no secondaries to allow): REFUSED, as NSD and Knot answer
    // when no ACL permits one, rather than an empty NOERROR that reads as an empty zone.
    if (question.type() == RecordType.AXFR || question.type() == RecordType.IXFR) {
      return reply(header.withRcode(Rcode.REFUSED), query, List.of(), List.of(), opt);
    }
    var answers = new ArrayList<ResourceRecord>();
    var authority = new ArrayList<ResourceRecord>();
    var additional = new ArrayList<ResourceRecord>();
    DnsName name = question.name();
    for (int step = 0; step < MAX_CNAME_CHAIN; step++) {
      Optional<DnsName> cut = cut(zone, name);
      if (cut.isPresent()) {
        // A referral: the child's NS set and the glue we hold; not authoritative (RFC 1034 §4.3.2
        // 3b).
        authority.addAll(zone.at(cut.get(), RecordType.NS));
        glue(zone, authority, additional);
        additional.addAll(opt);
        return reply(
            answers.isEmpty() ? header : header.withFlag(Header.AA, true),
            query,
            answers,
            authority,
            additional);
      }
      Owned owned = owned(zone, name);
      List<ResourceRecord> exact = owned.of(question.type());
      if (!exact.isEmpty()) {
        answers.addAll(exact);
        glue(zone, answers, additional);
        break;
      }
      List<ResourceRecord> cname = owned.of(RecordType.CNAME);
      if (!cname.isEmpty() && question.type() != RecordType.CNAME) {
        answers.add(cname.getFirst());
        name = ((RData.Target) cname.getFirst().data()).name();
        if (!Zone.isAtOrBelow(name, zone.apex())) {
          break;
        }
        continue;
      }
      if (!answers.isEmpty() && !owned.exists()) {
        break;
      }
      // RFC 2308 §3: the SOA in authority, its TTL the lesser of its own and its MINIMUM.
      ResourceRecord soa = zone.soa();
      long ttl = Math.min(soa.ttl(), ((RData.Soa) soa.data()).minimum());
      authority.add(new ResourceRecord(soa.name(), soa.type(), soa.dnsClass(), ttl, soa.data()));
      if (!owned.exists() && answers.isEmpty()) {
        header = header.withRcode(Rcode.NXDOMAIN);
      }
      break;
    }
    List<ResourceRecord> apexNs = zone.at(zone.apex(), RecordType.NS);
    // The zone's NS go along with an answer, as NSD sends them; not with ANY's one RRset, kept
    // small.
    if (authority.isEmpty() && !answers.containsAll(apexNs) && question.type() != RecordType.ANY) {
      authority.addAll(apexNs);
      glue(zone, authority, additional);
    }
    additional.addAll(opt);
    return reply(header.withFlag(Header.AA, true), query, answers, authority, additional);
  }

  private static Message reply(
      Header header,
      Message query,
      List<ResourceRecord> answers,
      List<ResourceRecord> authority,
      List<ResourceRecord> additional) {
    return new Message(header, query.questions(), answers, authority, additional);
  }

  /** The records a name owns, and whether it exists, in the zone or by a wildcard's synthesis. */
  private record Owned(boolean exists, List<ResourceRecord> records) {
    /**
     * The RRset of this type. For ANY, one RRset, the first the zone lists (RFC 8482 §4.1, as NSD
     * answers): the whole of a name is no longer handed to whoever asks, which ANY amplification
     * attacks relied on.
     */
    List<ResourceRecord> of(int type) {
      int wanted = type == RecordType.ANY && !records.isEmpty() ? records.getFirst().type() : type;
      return records.stream().filter(r -> r.type() == wanted).toList();
    }
  }

  /**
   * What {@code name} owns. A name that does not exist is answered from the wildcard {@code *.} of
   * its closest encloser, the deepest ancestor that exists, when there is one (RFC 4592 §3.3.1):
   * the wildcard's records with {@code name} as their owner. A name that exists, even as an empty
   * non-terminal, never matches a wildcard.
   */
  private static Owned owned(Zone zone, DnsName name) {
    if (zone.exists(name)) {
      return new Owned(true, zone.at(name));
    }
    for (int i = 1; i <= name.labelCount() - zone.apex().labelCount(); i++) {
      DnsName encloser = name.suffix(i);
      if (zone.exists(encloser)) {
        DnsName source = encloser.child(WILDCARD_LABEL);
        if (!zone.exists(source)) {
          break;
        }
        var synthesized = new ArrayList<ResourceRecord>();
        for (ResourceRecord r : zone.at(source)) {
          synthesized.add(new ResourceRecord(name, r.type(), r.dnsClass(), r.ttl(), r.data()));
        }
        return new Owned(true, synthesized);
      }
    }
    return new Owned(false, List.of());
  }

  private Optional<Zone> zoneFor(DnsName name) {
    Zone best = null;
    for (Zone zone : zones) {
      if (Zone.isAtOrBelow(name, zone.apex())
          && (best == null || zone.apex().labelCount() > best.apex().labelCount())) {
        best = zone;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The highest name between the apex (excluded) and {@code name} that owns NS: a zone cut. */
  private static Optional<DnsName> cut(Zone zone, DnsName name) {
    int below = name.labelCount() - zone.apex().labelCount();
    for (int i = below - 1; i >= 0; i--) {
      DnsName candidate = name.suffix(i);
      if (!zone.at(candidate, RecordType.NS).isEmpty()) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** A and AAAA of the NS, MX and SRV targets in {@code records}, where the zone has them. */
  private static void glue(
      Zone zone, List<ResourceRecord> records, List<ResourceRecord> additional) {
    for (ResourceRecord r : records) {
      DnsName target =
          switch (r.data()) {
            case RData.Target t when r.type() == RecordType.NS -> t.name();
            case RData.Mx mx -> mx.exchange();
            case RData.Srv srv -> srv.target();
            default -> null;
          };
      if (target != null && Zone.isAtOrBelow(target, zone.apex())) {
        for (ResourceRecord address : zone.at(target)) {
          if ((address.type() == RecordType.A || address.type() == RecordType.AAAA)
              && !additional.contains(address)) {
            additional.add(address);
          }
        }
      }
    }
  }
}
