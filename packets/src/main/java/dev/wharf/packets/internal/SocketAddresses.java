package dev.wharf.packets.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** {@code sockaddr_in} and {@code sockaddr_in6} in C layout, made and read. */
public final class SocketAddresses {
  /** {@code sizeof(struct sockaddr_in6)}, enough for either family. */
  public static final int MAX_SIZE = 28;

  private SocketAddresses() {}

  /** {@code address} with {@code port} as a socket address of its family. */
  public static MemorySegment of(Arena arena, InetAddress address, int port) {
    byte[] raw = address.getAddress();
    boolean v6 = address instanceof Inet6Address;
    MemorySegment sockaddr = arena.allocate(v6 ? 28 : 16, 4);
    sockaddr.set(JAVA_SHORT, 0, (short) (v6 ? Libc.AF_INET6 : Libc.AF_INET));
    // sin_port and sin6_port are in network order, the family in the host's.
    sockaddr.set(ValueLayout.JAVA_BYTE, 2, (byte) (port >>> 8));
    sockaddr.set(ValueLayout.JAVA_BYTE, 3, (byte) port);
    MemorySegment.copy(raw, 0, sockaddr, ValueLayout.JAVA_BYTE, v6 ? 8 : 4, raw.length);
    if (v6) {
      sockaddr.set(JAVA_INT, 24, ((Inet6Address) address).getScopeId());
    }
    return sockaddr;
  }

  /** The address in a {@code sockaddr_in} or {@code sockaddr_in6}, empty for another family. */
  public static Optional<InetAddress> read(MemorySegment sockaddr) {
    int family = sockaddr.get(JAVA_SHORT, 0);
    try {
      if (family == Libc.AF_INET) {
        byte[] raw = sockaddr.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of((Inet4Address) InetAddress.getByAddress(raw));
      }
      if (family == Libc.AF_INET6) {
        byte[] raw = sockaddr.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(InetAddress.getByAddress(raw));
      }
    } catch (UnknownHostException e) {
      throw new AssertionError("4 and 16 bytes are addresses", e);
    }
    return Optional.empty();
  }
}
