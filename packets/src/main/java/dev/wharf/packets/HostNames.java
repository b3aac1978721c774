package dev.wharf.packets;

import dev.wharf.packets.internal.Libc;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Host names as tcpdump looks them up without {@code -n} (addrtoname.c's gethostbyaddr): the
 * resolver's name for an address, through libc's getnameinfo(3). The JDK's {@code getHostName} also
 * looks the name up again and gives the address back where the name does not lead to it (a PTR
 * record without its A record, common outside one's own zones); tcpdump, and this, print the name.
 * Linux only. Any thread; each call blocks for as long as the resolver takes.
 */
public final class HostNames {
  private HostNames() {}

  /**
   * The resolver's name for {@code address}, empty where it has none.
   *
   * @throws PacketSocketException where libc cannot be called (not Linux, no native access)
   */
  public static Optional<String> of(InetAddress address) throws PacketSocketException {
    return Libc.get().nameOf(address);
  }
}
