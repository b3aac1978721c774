package dev.wharf.dns.server;

import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One zone's records, indexed by owner name: its apex (the SOA's owner), the SOA, and every name
 * that exists in it, empty non-terminals included (RFC 8020: a name with descendants exists).
 *
 * <p>Immutable; any thread.
 */
public final class Zone {
  private final DnsName apex;
  private final ResourceRecord soa;
  private final Map<DnsName, List<ResourceRecord>> byOwner;
  private final Set<DnsName> names;

  private Zone(DnsName apex, ResourceRecord soa, Map<DnsName, List<ResourceRecord>> byOwner) {
    this.apex = apex;
    this.soa = soa;
    this.byOwner = byOwner;
    this.names = new HashSet<>();
    for (DnsName owner : byOwner.keySet()) {
      for (int i = 0; i <= owner.labelCount() - apex.labelCount(); i++) {
        names.add(owner.suffix(i));
      }
    }
  }

  /** The zone of these records: exactly one SOA, whose owner is the apex, and all under it. */
  public static Zone of(List<ResourceRecord> records) {
    List<ResourceRecord> soas = records.stream().filter(r -> r.type() == RecordType.SOA).toList();
    if (soas.size() != 1) {
      throw new IllegalArgumentException("a zone has one SOA record; this one has " + soas.size());
    }
    DnsName apex = soas.getFirst().name();
    var byOwner = new HashMap<DnsName, List<ResourceRecord>>();
    for (ResourceRecord r : records) {
      if (!isAtOrBelow(r.name(), apex)) {
        throw new IllegalArgumentException(r.name() + " is outside the zone " + apex);
      }
      byOwner.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
    }
    byOwner.replaceAll((k, v) -> List.copyOf(v));
    return new Zone(apex, soas.getFirst(), Map.copyOf(byOwner));
  }

  static boolean isAtOrBelow(DnsName name, DnsName ancestor) {
    int extra = name.labelCount() - ancestor.labelCount();
    return extra >= 0 && name.suffix(extra).equals(ancestor);
  }

  public DnsName apex() {
    return apex;
  }

  public ResourceRecord soa() {
    return soa;
  }

  /** The records owned by {@code name} (empty when none). */
  public List<ResourceRecord> at(DnsName name) {
    return byOwner.getOrDefault(name, List.of());
  }

  /** The records of one type owned by {@code name}. */
  public List<ResourceRecord> at(DnsName name, int type) {
    return at(name).stream().filter(r -> r.type() == type).toList();
  }

  /** Whether the name exists: it owns records or has descendants that do. */
  public boolean exists(DnsName name) {
    return names.contains(name);
  }
}
