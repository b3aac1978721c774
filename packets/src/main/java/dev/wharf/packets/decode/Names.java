package dev.wharf.packets.decode;

/**
 * How {@link TcpdumpText} writes hosts, ports and link-layer addresses: as numbers ({@link
 * #NUMERIC}, tcpdump's {@code -n}) or by name, as tcpdump does without {@code -n} (a caller that
 * can look names up plugs that in: this package does no I/O). Each method gets the number as
 * decoded and returns it, or a name for it; called on the thread that prints.
 */
public interface Names {
  /** Every address and port as a number: tcpdump -n. */
  Names NUMERIC = new Names() {};

  /** An IPv4 or IPv6 address ("127.0.0.1", "fd77::1"), or its host name ("localhost"). */
  default String host(String address) {
    return address;
  }

  /** A TCP port, or its service's name ("http"). */
  default String tcpPort(int port) {
    return Integer.toString(port);
  }

  /** A UDP port, or its service's name ("domain"). */
  default String udpPort(int port) {
    return Integer.toString(port);
  }

  /**
   * An IP protocol none of the decoders reads ("ip-proto-132"), or tcpdump's name for it ("sctp",
   * {@link IpProtocolNames}).
   */
  default String ipProtocol(int protocol) {
    return IpProtocolNames.numeric(protocol);
  }

  /** A MAC address ("02:00:00:00:00:01"), or a name ("Broadcast", "... (oui Unknown)"). */
  default String mac(String address) {
    return address;
  }
}
