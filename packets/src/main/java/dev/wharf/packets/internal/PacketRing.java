package dev.wharf.packets.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wharf.packets.PacketSocketException;
import dev.wharf.packets.pcap.CapturedPacket;
import dev.wharf.packets.pcap.FrameConsumer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * An {@code AF_PACKET} socket read through a memory-mapped {@code TPACKET_V3} receive ring, as
 * libpcap reads one (packet(7), Documentation/networking/packet_mmap.rst): the kernel writes
 * packets into blocks of a buffer shared with this process, hands a block over when it is full or
 * when its retire timeout ends, and takes it back when we set its status to {@code
 * TP_STATUS_KERNEL}. No system call per packet; {@code poll} only when the ring is empty.
 *
 * <p>{@code SOCK_RAW} on one interface gives frames with their link header; {@code SOCK_DGRAM}
 * ({@code cooked}, for {@code any}) gives them from the network header, and this class puts a Linux
 * cooked (SLL) header in front, made from the {@code sockaddr_ll} the kernel writes beside each
 * packet. VLAN tags the kernel took off are put back, as libpcap does. A classic BPF program is
 * attached before the socket is bound, so that it never sees a packet unfiltered (see {@link
 * KernelFilters} for what a cooked socket's program needs).
 *
 * <p>Usable by anything in this module that reads packets (capture, scans). Not thread-safe: one
 * thread calls {@link #next}; {@link #statistics} from any thread.
 */
public final class PacketRing implements AutoCloseable {
  private static final int ETH_P_ALL = 0x0003;
  private static final int SOL_SOCKET = 1;
  private static final int SO_ATTACH_FILTER = 26;
  private static final int SOL_PACKET = 263;
  private static final int PACKET_RX_RING = 5;
  private static final int PACKET_STATISTICS = 6;
  private static final int PACKET_VERSION = 10;
  private static final int TPACKET_V3 = 2;
  private static final int TP_STATUS_KERNEL = 0;
  private static final int TP_STATUS_USER = 1;
  private static final int TP_STATUS_VLAN_VALID = 1 << 4;
  private static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
  private static final int PACKET_OUTGOING = 4;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int PAGE = 4096;
  private static final int MAXIMUM_SNAPLEN = 262_144; // libpcap's, and tcpdump's -s 0

  // struct tpacket_block_desc: version, offset_to_priv, then struct tpacket_hdr_v1.
  private static final long BLOCK_STATUS = 8;
  private static final long BLOCK_PACKETS = 12;
  private static final long BLOCK_FIRST = 16;
  // struct tpacket3_hdr (48 bytes), then the sockaddr_ll at TPACKET_ALIGN(48).
  private static final long NEXT_OFFSET = 0;
  private static final long SECONDS = 4;
  private static final long NANOS = 8;
  private static final long SNAP = 12;
  private static final long LENGTH = 16;
  private static final long STATUS = 20;
  private static final long MAC = 24;
  private static final long VLAN_TCI = 32;
  private static final long VLAN_TPID = 36;
  private static final long ADDRESS_LL = 48;

  private static final VarHandle INT = JAVA_INT.varHandle();

  // What deliver() tells drain().
  private static final int SKIPPED = 0;
  private static final int MORE = 1;
  private static final int STOP = 2;

  /** What a frame starts with: its own link header, or a Linux cooked one made here. */
  public enum Framing {
    /** {@code SOCK_RAW}: the frame as the interface has it (Ethernet). */
    LINK,
    /** {@code SOCK_DGRAM}, behind LINKTYPE_LINUX_SLL's 16-byte header. */
    SLL,
    /** {@code SOCK_DGRAM}, behind LINKTYPE_LINUX_SLL2's 20-byte header (with the ifindex). */
    SLL2
  }

  /**
   * How big the ring is and how long a block waits for more packets before it is handed over
   * (tcpdump's libpcap 1.10 asks for 1000 ms). A block goes when full or at its timeout: a short
   * timeout hands over many part-filled blocks, a wake-up and a walk each, unless traffic is heavy.
   */
  public record Settings(int snapLength, int bufferBytes, int retireMillis) {
    /** libpcap's defaults: 2 MiB of buffer, and a short timeout, for packets wanted at once. */
    public static Settings of(int snapLength) {
      return new Settings(snapLength, 2 << 20, 10);
    }
  }

  /** What the kernel counted since the socket opened: passed its filter, dropped, ring frozen. */
  public record Statistics(long received, long dropped, long queueFreezes) {}

  private final Libc libc;
  private final int fd;
  private final Framing framing;
  private final int loopbackIndex;
  private final int snapLength;
  private final int blockSize;
  private final int blockCount;
  private MemorySegment ring;
  private ByteBuffer[] blockViews; // each block as a buffer in the host's byte order, for drain
  private MemorySegment descriptor; // the block being read, null until the next is looked at
  private int block;
  private boolean walking;
  private int left;
  private long at;
  private long received;
  private long dropped;
  private long freezes;
  private long framesRead; // every frame walked, skipped ones too: the kernel counted them all
  private boolean closed;

  private PacketRing(
      Libc libc, int fd, Framing framing, int loopbackIndex, int snapLength, int blockSize, int n) {
    this.libc = libc;
    this.fd = fd;
    this.framing = framing;
    this.loopbackIndex = loopbackIndex;
    this.snapLength = snapLength;
    this.blockSize = blockSize;
    this.blockCount = n;
  }

  /**
   * A ring on interface {@code ifIndex} (0: all), framed as {@code framing} says, with {@code
   * filter} (classic BPF; empty for none) attached before it receives anything.
   *
   * @param loopbackIndex the loopback's index, whose outgoing copies are skipped as libpcap does
   *     (-1: none); a filter may already drop them in the kernel ({@link KernelFilters})
   */
  public static PacketRing open(
      int ifIndex, Framing framing, byte[] filter, int loopbackIndex, Settings settings)
      throws PacketSocketException {
    boolean cooked = framing != Framing.LINK;
    Libc libc = Libc.get();
    // As libpcap 1.10 sizes it (pcap-linux.c, create_ring; tcpdump asks for 8 blocks of 256 KiB):
    // a "frame" of MAXIMUM_SNAPLEN whatever the snap length, as many as the buffer holds rounded
    // up, a block the smallest power-of-two pages that holds one. Larger blocks than a frame of
    // the snap length make fewer, fuller blocks: fewer wake-ups and block walks under load. (The
    // kernel cuts a packet too big for a block's room to fit, as it does for libpcap.) Two at
    // least, not libpcap's one: with one, the kernel drops everything while we read it.
    int frameSize = MAXIMUM_SNAPLEN;
    int blockSize = PAGE;
    while (blockSize < frameSize) {
      blockSize <<= 1;
    }
    int frames = (int) (((long) settings.bufferBytes() + frameSize - 1) / frameSize);
    int blocks = Math.max(2, frames / (blockSize / frameSize));
    // Protocol 0: nothing is received until bind names ETH_P_ALL, after the filter is in place.
    int fd = libc.socket(Libc.AF_PACKET, cooked ? Libc.SOCK_DGRAM : Libc.SOCK_RAW, 0);
    var ring =
        new PacketRing(libc, fd, framing, loopbackIndex, settings.snapLength(), blockSize, blocks);
    try (Arena scratch = Arena.ofConfined()) {
      libc.setsockopt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3);
      // struct tpacket_req3 { block_size, block_nr, frame_size, frame_nr, retire_blk_tov,
      // sizeof_priv, feature_req_word }
      MemorySegment request = scratch.allocate(28, 4);
      request.set(JAVA_INT, 0, blockSize);
      request.set(JAVA_INT, 4, blocks);
      request.set(JAVA_INT, 8, frameSize);
      request.set(JAVA_INT, 12, blockSize / frameSize * blocks);
      request.set(JAVA_INT, 16, settings.retireMillis());
      libc.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, request);
      ring.ring = libc.mmapShared(fd, (long) blockSize * blocks);
      ring.blockViews = new ByteBuffer[blocks];
      for (int i = 0; i < blocks; i++) {
        ring.blockViews[i] =
            ring.ring
                .asSlice((long) i * blockSize, blockSize)
                .asByteBuffer()
                .order(ByteOrder.nativeOrder());
      }
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
      ring.close();
      throw e;
    }
    return ring;
  }

  /**
   * How many frames have been read from the ring (those skipped here too): with the kernel's count
   * of those it wrote ({@link #statistics}), how many it holds that are not read yet.
   */
  public long framesRead() {
    return framesRead;
  }

  /** The ring's size in bytes: blocks times block size. */
  public long bytes() {
    return (long) blockSize * blockCount;
  }

  /**
   * The next packet, waiting until {@code deadlineNanos} ({@link System#nanoTime}) for one; null by
   * then. The block it came from goes back to the kernel on the call that finds it empty.
   */
  public CapturedPacket next(long deadlineNanos) throws PacketSocketException {
    while (awaitBlock(deadlineNanos)) {
      if (left == 0) {
        releaseBlock();
        continue;
      }
      long header = at;
      at += descriptor.get(JAVA_INT, header + NEXT_OFFSET) & 0xffffffffL;
      left--;
      framesRead++;
      CapturedPacket packet = packet(descriptor, header);
      if (packet != null) {
        return packet;
      }
    }
    return null;
  }

  /**
   * Hands {@code frames} every packet of the next block the kernel filled, waiting until {@code
   * deadlineNanos} for one, then gives the block back: the frames stay where the kernel wrote them
   * (a frame whose link header is made here, cooked or with its VLAN tag put back, comes from the
   * heap). Stops early where {@code frames} says so; the next call goes on from there.
   *
   * @return how many frames {@code frames} took; 0 when no block came by the deadline
   */
  public int drain(long deadlineNanos, FrameConsumer frames)
      throws PacketSocketException, IOException {
    if (!awaitBlock(deadlineNanos)) {
      return 0;
    }
    int taken = 0;
    // A buffer over the block, made once: no slice, no object per frame.
    ByteBuffer view = blockViews[block];
    while (left > 0) {
      int header = (int) at;
      at += view.getInt(header) & 0xffffffffL;
      left--;
      framesRead++;
      // The work per frame is a method of its own, compiled after a few hundred frames: this
      // loop, run once a block, would wait for tens of thousands of them in the interpreter.
      int delivered = deliver(view, header, frames);
      if (delivered != SKIPPED) {
        taken++;
        if (delivered == STOP) {
          return taken;
        }
      }
    }
    releaseBlock();
    return taken;
  }

  /** Hands {@code frames} the frame whose tpacket3_hdr is at {@code header} of {@code view}. */
  private int deliver(ByteBuffer view, int header, FrameConsumer frames) throws IOException {
    boolean more;
    if (framing == Framing.LINK
        && (view.getInt(header + (int) STATUS) & TP_STATUS_VLAN_VALID) == 0
        && (view.getInt(header + (int) VLAN_TCI) & 0xffff) == 0) {
      int address = header + (int) ADDRESS_LL;
      if (view.get(address + 10) == PACKET_OUTGOING && view.getInt(address + 4) == loopbackIndex) {
        return SKIPPED; // loopback's outgoing copy, as isLoopbackEcho
      }
      more =
          frames.accept(
              view,
              header + (view.getShort(header + (int) MAC) & 0xffff),
              view.getInt(header + (int) SNAP),
              view.getInt(header + (int) LENGTH),
              view.getInt(header + (int) SECONDS) & 0xffffffffL,
              view.getInt(header + (int) NANOS));
    } else {
      CapturedPacket packet = packet(descriptor, header);
      if (packet == null) {
        return SKIPPED;
      }
      byte[] bytes = packet.data();
      more =
          frames.accept(
              ByteBuffer.wrap(bytes),
              0,
              bytes.length,
              packet.wireLength(),
              packet.time().getEpochSecond(),
              packet.time().getNano());
    }
    return more ? MORE : STOP;
  }

  /**
   * True once a block is ours to read (the one being read, or the next, waited for until {@code
   * deadlineNanos}); false at the deadline.
   */
  public boolean awaitBlock(long deadlineNanos) throws PacketSocketException {
    while (!walking) {
      if (descriptor == null) {
        descriptor = ring.asSlice((long) block * blockSize, blockSize);
      }
      int status = (int) INT.getAcquire(descriptor, BLOCK_STATUS);
      if ((status & TP_STATUS_USER) != 0) {
        walking = true;
        left = descriptor.get(JAVA_INT, BLOCK_PACKETS);
        at = descriptor.get(JAVA_INT, BLOCK_FIRST) & 0xffffffffL;
        return true;
      }
      long wait = deadlineNanos - System.nanoTime();
      if (wait <= 0) {
        return false;
      }
      // Wakes when the kernel hands a block over (full, or its retire timeout ended).
      libc.pollIn(fd, (int) Math.min(1000, Math.max(1, wait / 1_000_000)));
    }
    return true;
  }

  /** Gives the block read back to the kernel, and moves on to the next. */
  private void releaseBlock() {
    INT.setRelease(descriptor, BLOCK_STATUS, TP_STATUS_KERNEL);
    walking = false;
    block = (block + 1) % blockCount;
    descriptor = null;
  }

  /** pcap-linux.c: on loopback each packet is seen going out and coming in; keep one. */
  private boolean isLoopbackEcho(MemorySegment descriptor, long header) {
    long address = header + ADDRESS_LL;
    int packetType = descriptor.get(JAVA_BYTE, address + 10) & 0xff;
    return packetType == PACKET_OUTGOING && descriptor.get(JAVA_INT, address + 4) == loopbackIndex;
  }

  /** The packet whose tpacket3_hdr is at {@code header}; null for loopback's outgoing copy. */
  private CapturedPacket packet(MemorySegment descriptor, long header) {
    if (isLoopbackEcho(descriptor, header)) {
      return null;
    }
    long address = header + ADDRESS_LL;
    int status = descriptor.get(JAVA_INT, header + STATUS);
    int kept = descriptor.get(JAVA_INT, header + SNAP);
    int length = descriptor.get(JAVA_INT, header + LENGTH);
    long data = header + (descriptor.get(JAVA_SHORT, header + MAC) & 0xffff);
    int tci = descriptor.get(JAVA_INT, header + VLAN_TCI) & 0xffff;
    boolean vlan = (status & TP_STATUS_VLAN_VALID) != 0 || tci != 0;
    int tpid =
        (status & TP_STATUS_VLAN_TPID_VALID) != 0
            ? descriptor.get(JAVA_SHORT, header + VLAN_TPID) & 0xffff
            : ETHERTYPE_VLAN;
    byte[] tag = {(byte) (tpid >>> 8), (byte) tpid, (byte) (tci >>> 8), (byte) tci};
    int wire;
    byte[] bytes;
    if (framing == Framing.SLL2) {
      // SLL2 has the protocol first: a tag goes in front of the packet, its type in the header.
      int linkHeader = KernelFilters.SLL2_HEADER + (vlan ? 4 : 0);
      wire = linkHeader + length;
      bytes = new byte[Math.min(snapLength, linkHeader + kept)];
      byte[] sll = sll2Header(descriptor, address, vlan ? tpid : -1);
      put(sll, bytes, 0);
      if (vlan) {
        // The tag's TCI, then the packet's own protocol, as an 802.1Q header has them.
        put(new byte[] {tag[2], tag[3]}, bytes, KernelFilters.SLL2_HEADER);
        byte[] protocol = {
          descriptor.get(JAVA_BYTE, address + 2), descriptor.get(JAVA_BYTE, address + 3)
        };
        put(protocol, bytes, KernelFilters.SLL2_HEADER + 2);
      }
      copy(descriptor, data, bytes, linkHeader, kept);
    } else if (framing == Framing.SLL) {
      // SLL's first 14 bytes, [the tag], its protocol field, then the packet.
      int linkHeader = KernelFilters.SLL_HEADER + (vlan ? 4 : 0);
      wire = linkHeader + length;
      bytes = new byte[Math.min(snapLength, linkHeader + kept)];
      byte[] sll = sllHeader(descriptor, address);
      System.arraycopy(sll, 0, bytes, 0, Math.min(bytes.length, 14));
      if (vlan) {
        put(tag, bytes, 14);
      }
      put(new byte[] {sll[14], sll[15]}, bytes, linkHeader - 2);
      copy(descriptor, data, bytes, linkHeader, kept);
    } else if (vlan && kept >= 12) {
      // Ethernet's addresses, the tag, then its EtherType and the rest.
      wire = length + 4;
      bytes = new byte[Math.min(snapLength, kept + 4)];
      copy(descriptor, data, bytes, 0, 12);
      put(tag, bytes, 12);
      copy(descriptor, data + 12, bytes, 16, kept - 12);
    } else {
      wire = length;
      bytes = new byte[Math.min(snapLength, kept)];
      copy(descriptor, data, bytes, 0, kept);
    }
    long seconds = descriptor.get(JAVA_INT, header + SECONDS) & 0xffffffffL;
    long nanos = descriptor.get(JAVA_INT, header + NANOS) & 0xffffffffL;
    return new CapturedPacket(Instant.ofEpochSecond(seconds, nanos), bytes, wire);
  }

  /** Copies up to {@code count} bytes, as many as {@code bytes} has room for from {@code to}. */
  private static void copy(MemorySegment from, long offset, byte[] bytes, int to, int count) {
    int room = Math.min(count, bytes.length - to);
    if (room > 0) {
      MemorySegment.copy(from, JAVA_BYTE, offset, bytes, to, room);
    }
  }

  /** Copies what fits of {@code what} into {@code bytes} at {@code to}. */
  private static void put(byte[] what, byte[] bytes, int to) {
    int room = Math.min(what.length, bytes.length - to);
    if (room > 0) {
      System.arraycopy(what, 0, bytes, to, room);
    }
  }

  /** LINKTYPE_LINUX_SLL's 16-byte header from the sender's sockaddr_ll (all big-endian). */
  private static byte[] sllHeader(MemorySegment descriptor, long address) {
    byte[] header = new byte[KernelFilters.SLL_HEADER];
    int packetType = descriptor.get(JAVA_BYTE, address + 10) & 0xff;
    int hardwareType = descriptor.get(JAVA_SHORT, address + 8) & 0xffff;
    int addressLength = descriptor.get(JAVA_BYTE, address + 11) & 0xff;
    header[1] = (byte) packetType;
    header[2] = (byte) (hardwareType >>> 8);
    header[3] = (byte) hardwareType;
    header[5] = (byte) addressLength;
    for (int i = 0; i < Math.min(8, addressLength); i++) {
      header[6 + i] = descriptor.get(JAVA_BYTE, address + 12 + i);
    }
    header[14] = descriptor.get(JAVA_BYTE, address + 2); // sll_protocol, in network order
    header[15] = descriptor.get(JAVA_BYTE, address + 3);
    return header;
  }

  /**
   * LINKTYPE_LINUX_SLL2's 20-byte header (all big-endian): protocol ({@code tpid} where a VLAN tag
   * follows, else the sender's), reserved, interface index, hardware type, packet type, address
   * length and address.
   */
  private static byte[] sll2Header(MemorySegment descriptor, long address, int tpid) {
    byte[] header = new byte[KernelFilters.SLL2_HEADER];
    if (tpid >= 0) {
      header[0] = (byte) (tpid >>> 8);
      header[1] = (byte) tpid;
    } else {
      header[0] = descriptor.get(JAVA_BYTE, address + 2); // sll_protocol, in network order
      header[1] = descriptor.get(JAVA_BYTE, address + 3);
    }
    int ifIndex = descriptor.get(JAVA_INT, address + 4);
    header[4] = (byte) (ifIndex >>> 24);
    header[5] = (byte) (ifIndex >>> 16);
    header[6] = (byte) (ifIndex >>> 8);
    header[7] = (byte) ifIndex;
    int hardwareType = descriptor.get(JAVA_SHORT, address + 8) & 0xffff;
    header[8] = (byte) (hardwareType >>> 8);
    header[9] = (byte) hardwareType;
    header[10] = descriptor.get(JAVA_BYTE, address + 10);
    int addressLength = descriptor.get(JAVA_BYTE, address + 11) & 0xff;
    header[11] = (byte) addressLength;
    for (int i = 0; i < Math.min(8, addressLength); i++) {
      header[12 + i] = descriptor.get(JAVA_BYTE, address + 12 + i);
    }
    return header;
  }

  /**
   * The kernel's counts since the socket opened ({@code PACKET_STATISTICS} resets on each read, so
   * they are summed here): packets that passed the filter (dropped ones included, as the kernel
   * counts them), dropped for want of a free block, and how often the ring was full.
   */
  public synchronized Statistics statistics() throws PacketSocketException {
    try (Arena scratch = Arena.ofConfined()) {
      // struct tpacket_stats_v3 { tp_packets; tp_drops; tp_freeze_q_cnt; }
      MemorySegment stats = scratch.allocate(12, 4);
      libc.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats);
      received += stats.get(JAVA_INT, 0) & 0xffffffffL;
      dropped += stats.get(JAVA_INT, 4) & 0xffffffffL;
      freezes += stats.get(JAVA_INT, 8) & 0xffffffffL;
      return new Statistics(received, dropped, freezes);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (ring != null) {
        libc.munmap(ring);
      }
      libc.close(fd);
    }
  }
}
