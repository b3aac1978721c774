package dev.wharf.packets.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wharf.packets.PacketSocketException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A raw {@code IPPROTO_TCP} socket (raw(7), ipv6(7)) that sends TCP segments built by the caller:
 * the kernel writes the IPv4 or IPv6 header (no {@code IP_HDRINCL}), the caller the TCP header and
 * its checksum. It reads nothing: a filter that drops every packet is attached, so that the copies
 * of all incoming TCP that a raw socket gets do not fill its buffer. Segments go one at a time
 * ({@code sendto}) or up to {@link #MAX_BATCH} in one {@code sendmmsg}, whose message headers are
 * built once, at open. Needs CAP_NET_RAW. Not thread-safe.
 */
public final class RawTcpSocket implements AutoCloseable {
  private static final int IPPROTO_TCP = 6;
  private static final int SOL_SOCKET = 1;
  private static final int SO_ATTACH_FILTER = 26;
  private static final int ENOBUFS = 105;
  private static final int MAX_SEGMENT = 64;

  /** The most segments {@link #sendAll} sends in one call. */
  public static final int MAX_BATCH = 64;

  // struct mmsghdr { struct msghdr (56 bytes on LP64); unsigned int msg_len; } padded to 64;
  // struct msghdr { msg_name; msg_namelen; msg_iov; msg_iovlen; msg_control; msg_controllen;
  // msg_flags }; struct iovec { iov_base; iov_len }.
  private static final long MMSGHDR = 64;
  private static final long IOVEC = 16;
  private static final long MSG_NAMELEN = 8;
  private static final long MSG_IOV = 16;
  private static final long MSG_IOVLEN = 24;
  private static final long IOV_LEN = 8;

  private final Libc libc;
  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment target;
  private final MemorySegment segment;
  private final MemorySegment batch;
  private final MemorySegment iovecs;
  private final MemorySegment messages;
  private boolean closed;

  private RawTcpSocket(Libc libc, int fd, InetAddress target) {
    this.libc = libc;
    this.fd = fd;
    // Port 0: raw(7) ignores it for IPv4; ipv6(7) takes 0 or the socket's protocol.
    this.target = SocketAddresses.of(arena, target, 0);
    this.segment = arena.allocate(MAX_SEGMENT, 8);
    this.batch = arena.allocate((long) MAX_SEGMENT * MAX_BATCH, 8);
    this.iovecs = arena.allocate(IOVEC * MAX_BATCH, 8);
    this.messages = arena.allocate(MMSGHDR * MAX_BATCH, 8);
    for (int i = 0; i < MAX_BATCH; i++) {
      MemorySegment message = messages.asSlice(MMSGHDR * i, MMSGHDR);
      message.set(ADDRESS, 0, this.target);
      message.set(JAVA_INT, MSG_NAMELEN, (int) this.target.byteSize());
      message.set(ADDRESS, MSG_IOV, iovecs.asSlice(IOVEC * i, IOVEC));
      message.set(JAVA_LONG, MSG_IOVLEN, 1);
    }
  }

  /**
   * A raw TCP socket of {@code target}'s family, sending to it.
   *
   * @throws PacketSocketException where the kernel refuses (permission denied: no CAP_NET_RAW)
   */
  public static RawTcpSocket open(InetAddress target) throws PacketSocketException {
    Libc libc = Libc.get();
    int family = target instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET;
    int fd = libc.socket(family, Libc.SOCK_RAW, IPPROTO_TCP);
    var socket = new RawTcpSocket(libc, fd, target);
    try (Arena scratch = Arena.ofConfined()) {
      // One classic BPF instruction, BPF_RET | BPF_K with k = 0: keep no byte of any packet.
      MemorySegment dropAll = scratch.allocate(8, 8);
      dropAll.set(JAVA_SHORT, 0, (short) 0x06);
      MemorySegment program = scratch.allocate(16, 8);
      program.set(JAVA_SHORT, 0, (short) 1);
      program.set(ADDRESS, 8, dropAll);
      libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, program);
    } catch (PacketSocketException | RuntimeException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  /**
   * Sends one TCP segment (at most 64 bytes) to the target; false when the kernel's queue is full
   * ({@code ENOBUFS}) and the caller should try again a little later.
   */
  public boolean send(byte[] tcp) throws PacketSocketException {
    if (tcp.length > MAX_SEGMENT) {
      throw new IllegalArgumentException("a probe segment is at most 64 bytes, got " + tcp.length);
    }
    MemorySegment.copy(tcp, 0, segment, JAVA_BYTE, 0, tcp.length);
    try {
      libc.sendto(fd, segment.asSlice(0, tcp.length), target);
      return true;
    } catch (PacketSocketException e) {
      if (e.errno() == ENOBUFS) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Sends {@code count} segments of {@code length} bytes each, back to back in {@code segments}, in
   * one {@code sendmmsg}; how many went, from the first: fewer when the kernel's queue filled
   * ({@code ENOBUFS}) and the rest should be tried again a little later.
   */
  public int sendAll(byte[] segments, int length, int count) throws PacketSocketException {
    if (length < 1 || length > MAX_SEGMENT || count < 0 || count > MAX_BATCH) {
      throw new IllegalArgumentException(
          "at most " + MAX_BATCH + " segments of at most 64 bytes, got " + count + " of " + length);
    }
    if (count == 0) {
      return 0;
    }
    MemorySegment.copy(segments, 0, batch, JAVA_BYTE, 0, length * count);
    // The segments lie back to back: each message's one iovec points at its own.
    for (int i = 0; i < count; i++) {
      iovecs.set(JAVA_LONG, IOVEC * i, batch.address() + (long) length * i);
      iovecs.set(JAVA_LONG, IOVEC * i + IOV_LEN, length);
    }
    try {
      return libc.sendmmsg(fd, messages, count);
    } catch (PacketSocketException e) {
      if (e.errno() == ENOBUFS) {
        return 0;
      }
      throw e;
    }
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
