package dev.wharf.packets.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wharf.packets.PacketSocketException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * An ICMP or ICMPv6 socket for echo: an unprivileged ping socket ({@code SOCK_DGRAM}, Linux 3.0+)
 * where {@code net.ipv4.ping_group_range} admits the process's group, else a raw one (needs {@code
 * CAP_NET_RAW}), as iputils' ping chooses. Asks the kernel for the TTL or hop limit of what it
 * receives. Not thread-safe: one thread sends and receives.
 */
public final class IcmpSocket implements AutoCloseable {
  private static final int IPPROTO_ICMP = 1;
  private static final int IPPROTO_ICMPV6 = 58;
  // <netinet/in.h>, <linux/in6.h>
  private static final int SOL_IP = 0;
  private static final int IP_TTL = 2;
  private static final int IP_RECVTTL = 12;
  private static final int IP_RECVERR = 11;
  private static final int IPV6_RECVERR = 25;
  // <linux/errqueue.h>: where a queued error came from.
  private static final int SO_EE_ORIGIN_ICMP = 2;
  private static final int SO_EE_ORIGIN_ICMP6 = 3;
  private static final int SOL_IPV6 = 41;
  private static final int IPV6_UNICAST_HOPS = 16;
  private static final int IPV6_RECVHOPLIMIT = 51;
  private static final int IPV6_HOPLIMIT = 52;
  // <asm-generic/socket.h>: SO_TIMESTAMPNS_OLD, whose control message (SCM_TIMESTAMPNS) carries a
  // struct timespec of two longs on LP64.
  private static final int SOL_SOCKET = 1;
  private static final int SO_TIMESTAMPNS = 35;
  private static final int BUFFER = 65_536 + 128;
  private static final int CONTROL = 256;

  /**
   * What one receive gave: the packet as the socket returns it, its sender, its TTL, and when the
   * kernel received it ({@code CLOCK_REALTIME} nanoseconds since the epoch; -1 where it gave none).
   * From a ping socket's error queue: our own request (the bare ICMP message), the ICMP error's
   * sender in {@code from}, its type and code ({@code errorType} -1 for anything else) and the
   * kernel's {@code ee_info} (the MTU of a need-frag or packet too big).
   */
  public record Received(
      byte[] data,
      InetAddress from,
      int ttl,
      long kernelEpochNanos,
      int errorType,
      int errorCode,
      long errorInfo) {
    Received(byte[] data, InetAddress from, int ttl, long kernelEpochNanos) {
      this(data, from, ttl, kernelEpochNanos, -1, -1, 0);
    }

    /** True for an ICMP error about {@link #data()}, read from the error queue. */
    public boolean isError() {
      return errorType >= 0;
    }
  }

  private final Libc libc;
  private final int fd;
  private final boolean v6;
  private final boolean raw;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment target;
  private final InetAddress targetAddress;
  private final MemorySegment buffer;
  private final MemorySegment control;
  private final MemorySegment from;
  private final MemorySegment iov;
  private final MemorySegment message;
  private boolean closed;

  private IcmpSocket(Libc libc, int fd, InetAddress target, boolean raw) {
    this.libc = libc;
    this.fd = fd;
    this.v6 = target instanceof Inet6Address;
    this.raw = raw;
    this.target = SocketAddresses.of(arena, target, 0);
    this.targetAddress = target;
    this.buffer = arena.allocate(BUFFER, 8);
    this.control = arena.allocate(CONTROL, 8);
    this.from = arena.allocate(SocketAddresses.MAX_SIZE, 8);
    this.iov = arena.allocate(16, 8);
    this.message = arena.allocate(56, 8);
  }

  /**
   * A socket for echo to {@code target}: a ping socket where allowed, else a raw one.
   *
   * @param ttl the TTL (hop limit) of what it sends, 0 for the system's default
   * @throws PacketSocketException where neither may be had (permission denied: no CAP_NET_RAW)
   */
  public static IcmpSocket open(InetAddress target, int ttl) throws PacketSocketException {
    Libc libc = Libc.get();
    boolean v6 = target instanceof Inet6Address;
    int family = v6 ? Libc.AF_INET6 : Libc.AF_INET;
    int protocol = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    int fd;
    boolean raw;
    try {
      fd = libc.socket(family, Libc.SOCK_DGRAM, protocol);
      raw = false;
    } catch (PacketSocketException denied) {
      if (!denied.isPermissionDenied()) {
        throw denied;
      }
      try {
        fd = libc.socket(family, Libc.SOCK_RAW, protocol);
        raw = true;
      } catch (PacketSocketException alsoDenied) {
        if (alsoDenied.isPermissionDenied()) {
          throw new PacketSocketException(
              alsoDenied.errno(),
              "permission denied: ping needs CAP_NET_RAW (sudo, or setcap cap_net_raw+ep on the"
                  + " java binary) or a group in net.ipv4.ping_group_range");
        }
        throw alsoDenied;
      }
    }
    var socket = new IcmpSocket(libc, fd, target, raw);
    try {
      // As iputils' ping: the kernel stamps each packet as it arrives, so the round trip does not
      // include the time this process took to be scheduled and read it.
      libc.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
      if (!raw) {
        // A ping socket hands ICMP errors about what it sent (unreachable, time exceeded) to its
        // error queue only if asked, as iputils' ping asks (a raw socket reads them as messages).
        libc.setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, 1);
      }
      if (v6) {
        libc.setsockopt(fd, SOL_IPV6, IPV6_RECVHOPLIMIT, 1);
        if (ttl > 0) {
          libc.setsockopt(fd, SOL_IPV6, IPV6_UNICAST_HOPS, ttl);
        }
      } else {
        libc.setsockopt(fd, SOL_IP, IP_RECVTTL, 1);
        if (ttl > 0) {
          libc.setsockopt(fd, SOL_IP, IP_TTL, ttl);
        }
      }
    } catch (PacketSocketException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  /** A raw socket (sees every ICMP message, IPv4 ones with their IP header), not a ping socket. */
  public boolean isRaw() {
    return raw;
  }

  public boolean isIpv6() {
    return v6;
  }

  /** Sends one ICMP message (header and data) to the target. */
  public void send(byte[] icmp) throws PacketSocketException {
    try (Arena scratch = Arena.ofConfined()) {
      libc.sendto(fd, scratch.allocateFrom(ValueLayout.JAVA_BYTE, icmp), target);
    }
  }

  /** Waits up to {@code timeoutMillis} for the socket to have something to read. */
  public boolean awaitReadable(int timeoutMillis) throws PacketSocketException {
    return libc.pollIn(fd, timeoutMillis);
  }

  /**
   * The next waiting message, or empty when none is: on a ping socket, an error from its error
   * queue first (reading it clears the error the socket reports; a plain receive would fail with
   * it).
   */
  public Optional<Received> receiveNow() throws PacketSocketException {
    if (!raw) {
      Optional<Received> error = errorNow();
      if (error.isPresent()) {
        return error;
      }
    }
    prepareMessage();
    long length;
    try {
      length = libc.recvmsgNow(fd, message);
    } catch (PacketSocketException e) {
      if (raw) {
        throw e;
      }
      // An ICMP error that came since the error queue was read: the next call reads it there.
      return errorNow();
    }
    if (length < 0) {
      return Optional.empty();
    }
    byte[] data = buffer.asSlice(0, Math.min(length, BUFFER)).toArray(ValueLayout.JAVA_BYTE);
    InetAddress sender = SocketAddresses.read(from).orElse(null);
    long controlLength = message.get(JAVA_LONG, 40);
    return Optional.of(new Received(data, sender, ttl(controlLength), receivedAt(controlLength)));
  }

  /**
   * An error from the error queue ({@code MSG_ERRQUEUE}): the request it is about, and the
   * IP_RECVERR control message's {@code struct sock_extended_err} (errno, origin, type, code, pad,
   * info, data: 16 bytes), followed by the address of the router or host that sent it.
   */
  private Optional<Received> errorNow() throws PacketSocketException {
    prepareMessage();
    long length = libc.recvmsgNow(fd, message, Libc.MSG_ERRQUEUE);
    if (length < 0) {
      return Optional.empty();
    }
    byte[] data = buffer.asSlice(0, Math.min(length, BUFFER)).toArray(ValueLayout.JAVA_BYTE);
    long controlLength = message.get(JAVA_LONG, 40);
    long offset = 0;
    while (offset + 16 <= controlLength) {
      long cmsgLength = control.get(JAVA_LONG, offset);
      if (cmsgLength < 16) {
        break;
      }
      int level = control.get(JAVA_INT, offset + 8);
      int type = control.get(JAVA_INT, offset + 12);
      boolean recverr =
          (level == SOL_IP && type == IP_RECVERR) || (level == SOL_IPV6 && type == IPV6_RECVERR);
      if (recverr && cmsgLength >= 16 + 16) {
        MemorySegment error = control.asSlice(offset + 16, cmsgLength - 16);
        int origin = error.get(ValueLayout.JAVA_BYTE, 4) & 0xff;
        if (origin != SO_EE_ORIGIN_ICMP && origin != SO_EE_ORIGIN_ICMP6) {
          return Optional.empty(); // a local error (EMSGSIZE, say): no ICMP message to show
        }
        int icmpType = error.get(ValueLayout.JAVA_BYTE, 5) & 0xff;
        int icmpCode = error.get(ValueLayout.JAVA_BYTE, 6) & 0xff;
        long info = Integer.toUnsignedLong(error.get(JAVA_INT, 8)); // ee_info, host order
        // SO_EE_OFFENDER: the sockaddr right after the struct, where the control message has it.
        InetAddress sender =
            error.byteSize() >= 16 + (v6 ? 24 : 8)
                ? SocketAddresses.read(error.asSlice(16)).orElse(targetAddress)
                : targetAddress;
        return Optional.of(new Received(data, sender, -1, -1, icmpType, icmpCode, info));
      }
      offset += (cmsgLength + 7) & ~7L;
    }
    return Optional.empty();
  }

  private void prepareMessage() {
    iov.set(ADDRESS, 0, buffer);
    iov.set(JAVA_LONG, 8, (long) BUFFER);
    message.fill((byte) 0);
    message.set(ADDRESS, 0, from);
    message.set(JAVA_INT, 8, SocketAddresses.MAX_SIZE);
    message.set(ADDRESS, 16, iov);
    message.set(JAVA_LONG, 24, 1L);
    message.set(ADDRESS, 32, control);
    message.set(JAVA_LONG, 40, (long) CONTROL);
  }

  /** The SCM_TIMESTAMPNS control message's time in epoch nanoseconds, or -1 where none came. */
  private long receivedAt(long controlLength) {
    long offset = 0;
    while (offset + 16 <= controlLength) {
      long length = control.get(JAVA_LONG, offset);
      if (length < 16) {
        break;
      }
      int level = control.get(JAVA_INT, offset + 8);
      int type = control.get(JAVA_INT, offset + 12);
      if (level == SOL_SOCKET && type == SO_TIMESTAMPNS && length >= 32) {
        long seconds = control.get(JAVA_LONG, offset + 16);
        long nanos = control.get(JAVA_LONG, offset + 24);
        return seconds * 1_000_000_000L + nanos;
      }
      offset += (length + 7) & ~7L;
    }
    return -1;
  }

  /** The TTL or hop limit in the control messages (struct cmsghdr, 8-byte aligned), or -1. */
  private int ttl(long controlLength) {
    long offset = 0;
    while (offset + 16 <= controlLength) {
      long length = control.get(JAVA_LONG, offset);
      int level = control.get(JAVA_INT, offset + 8);
      int type = control.get(JAVA_INT, offset + 12);
      if (length < 16) {
        break;
      }
      if ((level == SOL_IP && type == IP_TTL) || (level == SOL_IPV6 && type == IPV6_HOPLIMIT)) {
        return control.get(JAVA_INT, offset + 16);
      }
      offset += (length + 7) & ~7L;
    }
    return -1;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      libc.close(fd);
      arena.close();
    }
  }
}
