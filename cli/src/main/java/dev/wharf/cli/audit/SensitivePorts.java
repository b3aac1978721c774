package dev.wharf.cli.audit;

import java.util.Map;
import java.util.Optional;

/**
 * The well-known ports that deserve a second look when reachable from outside: remote logins,
 * databases and APIs that trust whoever reaches them, and UDP services that answer a small datagram
 * with a large one (amplification). What each is, in a few words. Immutable.
 */
final class SensitivePorts {
  private SensitivePorts() {}

  private static final Map<Integer, String> TCP =
      Map.ofEntries(
          Map.entry(21, "FTP: logins and files in clear text"),
          Map.entry(22, "SSH: remote logins, tried by password guessers all day long"),
          Map.entry(23, "Telnet: remote logins in clear text"),
          Map.entry(25, "SMTP: mail relays are abused when open"),
          Map.entry(111, "rpcbind: maps RPC services such as NFS"),
          Map.entry(135, "MS RPC: the Windows endpoint mapper"),
          Map.entry(139, "NetBIOS sessions: Windows file sharing"),
          Map.entry(445, "SMB: Windows file sharing, a favourite of worms"),
          Map.entry(1433, "Microsoft SQL Server: a database"),
          Map.entry(2049, "NFS: file systems"),
          Map.entry(2375, "the Docker API without TLS: whoever reaches it is root on this host"),
          Map.entry(2376, "the Docker API: root on this host to whoever holds a client key"),
          Map.entry(2379, "etcd: a cluster's configuration and secrets"),
          Map.entry(3306, "MySQL: a database"),
          Map.entry(3389, "RDP: Windows remote desktop logins"),
          Map.entry(5432, "PostgreSQL: a database"),
          Map.entry(5900, "VNC: remote desktop, often with a weak password"),
          Map.entry(5984, "CouchDB: a database with an HTTP API"),
          Map.entry(6379, "Redis: a database with no password by default"),
          Map.entry(9042, "Cassandra: a database"),
          Map.entry(9200, "Elasticsearch: a search database with no password by default"),
          Map.entry(10250, "the kubelet API: runs commands in a node's containers"),
          Map.entry(11211, "memcached: a cache with no authentication"),
          Map.entry(27017, "MongoDB: a database, in old versions with no password by default"));

  private static final Map<Integer, String> UDP =
      Map.ofEntries(
          Map.entry(53, "DNS: an open resolver is used to amplify attacks"),
          Map.entry(69, "TFTP: files with no authentication"),
          Map.entry(111, "rpcbind: maps RPC services, and amplifies"),
          Map.entry(123, "NTP: its monitor commands amplify attacks"),
          Map.entry(137, "NetBIOS names: Windows name service"),
          Map.entry(161, "SNMP: device management, often with the community 'public'"),
          Map.entry(1900, "SSDP (UPnP): amplifies attacks"),
          Map.entry(2049, "NFS: file systems"),
          Map.entry(5353, "mDNS: answers beyond the link amplify attacks"),
          Map.entry(11211, "memcached: amplifies attacks many thousand times"));

  /** What the service on {@code port} is and why it matters, if it is one of the sensitive. */
  static Optional<String> describe(boolean udp, int port) {
    return Optional.ofNullable((udp ? UDP : TCP).get(port));
  }
}
