package dev.wharf.packets.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wharf.packets.PacketSocketException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An {@code AF_PACKET} socket (packet(7)) read with {@code recvfrom}: {@code SOCK_RAW} on one
 * interface (frames with their link header), or {@code SOCK_DGRAM} on all of them, whose frames
 * this class gives a Linux cooked (SLL) header made from the sender's {@code sockaddr_ll}, as
 * libpcap does. A classic BPF program may be attached ({@code SO_ATTACH_FILTER}) before the socket
 * is bound, so that it never sees a packet unfiltered. Not thread-safe.
 *
 * <p>Not yet the memory-mapped TPACKET_V3 ring libpcap uses: one system call per packet.
 */
public final class PacketSocket implements AutoCloseable {
  private static final int ETH_P_ALL = 0x0003;
  private static final int SOL_SOCKET = 1;
  private static final int SO_ATTACH_FILTER = 26;
  private static final int SO_RCVBUF = 8;
  private static final int SOL_PACKET = 263;
  private static final int PACKET_STATISTICS = 6;
  private static final int PACKET_OUTGOING = 4;
  private static final int MSG_TRUNC = 0x20;
  static final int SLL_HEADER = 16;

  /** One frame read: its bytes (to the snap length) and its length on the wire. */
  public record Frame(byte[] data, int wireLength) {}

  private final Libc libc;
  private final int fd;
  private final boolean cooked;
  private final int loopbackIndex;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment buffer;
  private final MemorySegment from;
  private long received;
  private long dropped;
  private boolean closed;

  private PacketSocket(Libc libc, int fd, boolean cooked, int snapLength, int loopbackIndex) {
    this.libc = libc;
    this.fd = fd;
    this.cooked = cooked;
    this.loopbackIndex = loopbackIndex;
    this.buffer = arena.allocate(snapLength, 8);
    this.from = arena.allocate(20, 8);
  }

  /**
   * A packet socket on interface {@code ifIndex} (0: all), {@code cooked} for SOCK_DGRAM, with
   * {@code filter} (classic BPF, possibly empty) attached before it receives anything.
   *
   * @param loopbackIndex the loopback's index, whose outgoing copies are skipped as libpcap does
   */
  public static PacketSocket open(
      int ifIndex, boolean cooked, int snapLength, byte[] filter, int loopbackIndex)
      throws PacketSocketException {
    Libc libc = Libc.get();
    // Protocol 0: nothing is received until bind names ETH_P_ALL, after the filter is in place.
    int fd = libc.socket(Libc.AF_PACKET, cooked ? Libc.SOCK_DGRAM : Libc.SOCK_RAW, 0);
    var socket = new PacketSocket(libc, fd, cooked, snapLength, loopbackIndex);
    try (Arena scratch = Arena.ofConfined()) {
      libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
      if (filter.length > 0) {
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
        MemorySegment program = scratch.allocate(16, 8);
        program.set(JAVA_SHORT, 0, (short) (filter.length / 8));
        program.set(ADDRESS, 8, scratch.allocateFrom(JAVA_BYTE, filter));
        libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, program);
      }
      // struct sockaddr_ll { family; protocol (network order); ifindex; hatype; pkttype; halen;
      // addr[8] }
      MemorySegment address = scratch.allocate(20, 4);
      address.set(JAVA_SHORT, 0, (short) Libc.AF_PACKET);
      address.set(JAVA_BYTE, 2, (byte) (ETH_P_ALL >>> 8));
      address.set(JAVA_BYTE, 3, (byte) ETH_P_ALL);
      address.set(JAVA_INT, 4, ifIndex);
      libc.bind(fd, address);
    } catch (PacketSocketException | RuntimeException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  /** Waits up to {@code timeoutMillis} for a frame. */
  public boolean awaitReadable(int timeoutMillis) throws PacketSocketException {
    return libc.pollIn(fd, timeoutMillis);
  }

  /** The next frame waiting, or null when none is; loopback's outgoing copies are skipped. */
  public Frame receiveNow() throws PacketSocketException {
    while (true) {
      long length = libc.recvfromNow(fd, buffer, MSG_TRUNC, from);
      if (length < 0) {
        return null;
      }
      int packetType = from.get(JAVA_BYTE, 10) & 0xff;
      int ifIndex = from.get(JAVA_INT, 4);
      // pcap-linux.c: on loopback each packet is seen going out and coming in; keep one.
      if (packetType == PACKET_OUTGOING && ifIndex == loopbackIndex) {
        continue;
      }
      int captured = (int) Math.min(length, buffer.byteSize());
      byte[] bytes = buffer.asSlice(0, captured).toArray(JAVA_BYTE);
      if (!cooked) {
        return new Frame(bytes, (int) length);
      }
      return new Frame(withSllHeader(bytes), (int) length + SLL_HEADER);
    }
  }

  /** LINKTYPE_LINUX_SLL's header from the sender's sockaddr_ll (all big-endian). */
  private byte[] withSllHeader(byte[] payload) {
    byte[] frame = new byte[SLL_HEADER + payload.length];
    int packetType = from.get(JAVA_BYTE, 10) & 0xff;
    int hardwareType = from.get(JAVA_SHORT, 8) & 0xffff;
    int addressLength = from.get(JAVA_BYTE, 11) & 0xff;
    frame[1] = (byte) packetType;
    frame[2] = (byte) (hardwareType >>> 8);
    frame[3] = (byte) hardwareType;
    frame[5] = (byte) addressLength;
    for (int i = 0; i < Math.min(8, addressLength); i++) {
      frame[6 + i] = from.get(JAVA_BYTE, 12 + i);
    }
    frame[14] = from.get(JAVA_BYTE, 2); // sll_protocol, already in network order
    frame[15] = from.get(JAVA_BYTE, 3);
    System.arraycopy(payload, 0, frame, SLL_HEADER, payload.length);
    return frame;
  }

  /**
   * The kernel's counts since the socket opened: packets that passed the filter, and those dropped
   * for want of buffer space ({@code PACKET_STATISTICS}, which resets on each read).
   */
  public long[] statistics() throws PacketSocketException {
    try (Arena scratch = Arena.ofConfined()) {
      MemorySegment stats = scratch.allocate(8, 4);
      libc.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats);
      received += stats.get(JAVA_INT, 0) & 0xffffffffL;
      dropped += stats.get(JAVA_INT, 4) & 0xffffffffL;
      return new long[] {received, dropped};
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
