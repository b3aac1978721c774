/**
 * Packets below the socket API, Linux only: ICMP and ICMPv6 echo ({@code wharf ping}), and later
 * capture on {@code AF_PACKET} sockets with kernel-side filters. No dependencies beyond the JDK and
 * core; {@code dev.wharf.packets.internal} (libc through the foreign-function API) is not exported.
 *
 * <p>The sockets are made with libc's calls through the FFM API: a launcher grants it with {@code
 * --enable-native-access=dev.wharf.packets} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.wharf.packets {
  requires dev.wharf.core; // Addresses

  exports dev.wharf.packets;
  exports dev.wharf.packets.decode;
  exports dev.wharf.packets.pcap;
}
