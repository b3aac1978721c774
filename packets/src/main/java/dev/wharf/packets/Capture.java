package dev.wharf.packets;

import dev.wharf.packets.decode.PacketDecoder;
import dev.wharf.packets.internal.KernelFilters;
import dev.wharf.packets.internal.Libpcap;
import dev.wharf.packets.internal.PacketRing;
import dev.wharf.packets.pcap.CapturedPacket;
import dev.wharf.packets.pcap.FrameConsumer;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A live capture on one interface or on all ({@code "any"}), as tcpdump's: frames with their link
 * header (Ethernet; Linux cooked SLL2 for {@code any}, SLL for devices without one), read from a
 * memory-mapped TPACKET_V3 ring ({@link PacketRing}), filtered by a tcpdump expression that the
 * system's libpcap compiles to classic BPF (on an interface's own frames, as for tcpdump's live
 * handle: {@code vlan} reads the tags the kernel took off). The program runs in the kernel,
 * attached to the socket (on {@code any}, rewritten for a cooked socket's packets as libpcap does);
 * only a program that reads the link-layer address of a cooked header runs here instead. Linux
 * only; needs CAP_NET_RAW. Not thread-safe: one thread reads; {@link #statistics} from any thread,
 * {@link #close} from the reading thread or after it stopped.
 */
public final class Capture implements AutoCloseable {
  private static final int ARPHRD_ETHER = 1;
  private static final int ARPHRD_LOOPBACK = 772;
  private static final int ARPHRD_NONE = 65_534;

  /**
   * What the kernel counted: packets its filter passed (dropped ones included, as tcpdump's
   * "received by filter"), packets it dropped for want of room in the ring, and how often the ring
   * was full.
   */
  public record Statistics(long received, long dropped, long queueFreezes) {}

  private final PacketRing ring;
  private final int linkType;
  private final byte[] userSpaceFilter;
  private final Duration blockTimeout;

  private Capture(PacketRing ring, int linkType, byte[] userSpaceFilter, Duration blockTimeout) {
    this.ring = ring;
    this.linkType = linkType;
    this.userSpaceFilter = userSpaceFilter;
    this.blockTimeout = blockTimeout;
  }

  /**
   * How long the kernel holds a block that is not full before it hands it over, when not told: a
   * short wait, for packets wanted as soon as they come (a scan's answers).
   */
  public static final Duration SHORT_BLOCK_TIMEOUT = Duration.ofMillis(10);

  /**
   * Opens a capture with libpcap's default ring (2 MiB).
   *
   * @see #open(String, int, String, int)
   */
  public static Capture open(String interfaceName, int snapLength, String filter)
      throws PacketSocketException {
    return open(interfaceName, snapLength, filter, 2 << 20);
  }

  /**
   * Opens a capture.
   *
   * @param interfaceName an interface's name, or {@code any}
   * @param filter a tcpdump filter expression, empty for every packet
   * @param bufferBytes the ring's size (tcpdump's -B, in bytes)
   * @throws IllegalArgumentException for an unknown interface or a bad filter (libpcap's words)
   * @throws PacketSocketException where the kernel refuses (see {@link
   *     PacketSocketException#isPermissionDenied()}), or libpcap is missing for a filter
   */
  public static Capture open(String interfaceName, int snapLength, String filter, int bufferBytes)
      throws PacketSocketException {
    return open(interfaceName, snapLength, filter, bufferBytes, 0, SHORT_BLOCK_TIMEOUT);
  }

  /**
   * Opens a capture with link type {@code linkType} ({@code LINKTYPE_LINUX_SLL} or {@code
   * LINKTYPE_LINUX_SLL2}, as tcpdump's -y; 0 for the default: the interface's own, and SLL2 on
   * {@code any}, as tcpdump 4.99), whose blocks the kernel hands over when full or {@code
   * blockTimeout} after it began to fill one (tcpdump's libpcap: 1 s; longer means fewer, fuller
   * blocks and less work per packet, shorter that packets come sooner).
   */
  public static Capture open(
      String interfaceName,
      int snapLength,
      String filter,
      int bufferBytes,
      int linkTypeWanted,
      Duration blockTimeout)
      throws PacketSocketException {
    if (blockTimeout.toMillis() < 1 || blockTimeout.toMillis() > 60_000) {
      throw new IllegalArgumentException(
          "the block timeout must be 1 ms to 60 s, got " + blockTimeout);
    }
    return open(
        interfaceName,
        snapLength,
        filter,
        bufferBytes,
        linkTypeWanted,
        none -> null,
        (int) blockTimeout.toMillis());
  }

  /**
   * As {@link #open(String, int, String, int, int, Duration)}, with {@code programs} giving {@code
   * filter}'s program for the link type it is called with, compiled already (or null: libpcap
   * compiles it), and a block handed over at the latest {@code retireMillis} after its first frame.
   */
  static Capture open(
      String interfaceName,
      int snapLength,
      String filter,
      int bufferBytes,
      int linkTypeWanted,
      IntFunction<byte[]> programs,
      int retireMillis)
      throws PacketSocketException {
    boolean any = interfaceName.equals("any");
    int ifIndex = any ? 0 : ifIndex(interfaceName);
    int linkType =
        linkTypeWanted != 0
            ? linkTypeWanted
            : any ? PacketDecoder.LINKTYPE_LINUX_SLL2 : linkType(interfaceName);
    if (linkType != PacketDecoder.LINKTYPE_LINUX_SLL
        && linkType != PacketDecoder.LINKTYPE_LINUX_SLL2
        && (any || linkType != linkType(interfaceName))) {
      throw new IllegalArgumentException(
          interfaceName + " cannot give link type " + linkType + " (LINUX_SLL or LINUX_SLL2 can)");
    }
    boolean sll2 = linkType == PacketDecoder.LINKTYPE_LINUX_SLL2;
    boolean cooked = sll2 || linkType == PacketDecoder.LINKTYPE_LINUX_SLL;
    byte[] program = KernelFilters.acceptAll(snapLength);
    byte[] userSpace = new byte[0];
    if (!filter.isBlank()) {
      byte[] given = programs.apply(linkType);
      byte[] compiled;
      if (given != null) {
        compiled = given;
      } else if (!cooked) {
        // The interface's own frames: libpcap's program for its live handle, as tcpdump's (the
        // kernel shows VLAN tags apart from the frame, and only such a program reads them).
        compiled = Libpcap.get().compileLive(interfaceName, linkType, snapLength, filter);
      } else {
        // Cooked frames: libpcap has no VLAN test for them, and its program is the same live or
        // not; compiled for the SLL header, rewritten below for a socket that shows none.
        compiled = Libpcap.get().compile(linkType, snapLength, filter);
      }
      if (!cooked) {
        program = compiled;
      } else {
        // A cooked socket's packets reach the kernel's filter without the SLL header the program
        // reads; rewritten as libpcap does, it runs there, or (reading the address) here.
        var rewritten = KernelFilters.forCookedSocket(compiled, sll2);
        if (rewritten.isPresent()) {
          program = rewritten.get();
        } else {
          userSpace = compiled;
        }
      }
    }
    int loopback = loopbackIndex();
    if (any || ifIndex == loopback) {
      program = KernelFilters.skippingLoopbackEchoes(program, loopback);
    }
    var settings = new PacketRing.Settings(snapLength, bufferBytes, retireMillis);
    var framing =
        sll2 ? PacketRing.Framing.SLL2 : cooked ? PacketRing.Framing.SLL : PacketRing.Framing.LINK;
    var ring = PacketRing.open(ifIndex, framing, program, loopback, settings);
    return new Capture(ring, linkType, userSpace, Duration.ofMillis(retireMillis));
  }

  /** The pcap link type of the frames: 1 (Ethernet), 113 (Linux SLL) or 101 (raw IP). */
  public int linkType() {
    return linkType;
  }

  /** The next frame the filter passes, waiting until {@code deadlineNanos}; empty by then. */
  public Optional<CapturedPacket> next(long deadlineNanos) throws PacketSocketException {
    while (true) {
      CapturedPacket packet = ring.next(deadlineNanos);
      if (packet == null) {
        return Optional.empty();
      }
      if (userSpaceFilter.length == 0
          || Libpcap.get().matches(userSpaceFilter, packet.data(), packet.wireLength())) {
        return Optional.of(packet);
      }
    }
  }

  /** Waits until {@code deadlineNanos} for a block of frames to {@link #drain}; false by then. */
  public boolean await(long deadlineNanos) throws PacketSocketException {
    return ring.awaitBlock(deadlineNanos);
  }

  /**
   * Hands {@code frames} the frames of the next block the kernel filled, where they lie in the
   * ring's memory (see {@link PacketRing#drain}), waiting until {@code deadlineNanos} for one: the
   * way to write a file without a copy or an object per packet.
   *
   * @return how many frames {@code frames} took; 0 when none came by the deadline
   */
  public int drain(long deadlineNanos, FrameConsumer frames)
      throws PacketSocketException, IOException {
    if (userSpaceFilter.length == 0) {
      return ring.drain(deadlineNanos, frames);
    }
    // A filter that runs here reads the frame from the heap, as next() gives it.
    return ring.drain(
        deadlineNanos,
        (memory, offset, captured, wire, seconds, nanos) -> {
          byte[] data = new byte[captured];
          memory.get(offset, data);
          return !Libpcap.get().matches(userSpaceFilter, data, wire)
              || frames.accept(memory, offset, captured, wire, seconds, nanos);
        });
  }

  /** How long the kernel holds a block that is not full before it hands it over. */
  public Duration blockTimeout() {
    return blockTimeout;
  }

  /**
   * How many packets the kernel wrote into the ring that have not been read yet (dropped ones
   * aside): those of the block it is filling among them, which it hands over at the latest when the
   * block's timeout ends. 0 once everything the filter passed is read.
   */
  public long unread() throws PacketSocketException {
    PacketRing.Statistics counts = ring.statistics();
    return counts.received() - counts.dropped() - ring.framesRead();
  }

  /** True when the filter runs in the kernel, so that unwanted packets never reach Java. */
  public boolean filtersInKernel() {
    return userSpaceFilter.length == 0;
  }

  public Statistics statistics() throws PacketSocketException {
    PacketRing.Statistics counts = ring.statistics();
    return new Statistics(counts.received(), counts.dropped(), counts.queueFreezes());
  }

  /** tcpdump's default: the first interface that is up and not loopback, by index. */
  public static Optional<String> defaultInterface() {
    try {
      return NetworkInterface.networkInterfaces()
          .filter(PacketSocketsHelp::isUpNotLoopback)
          .min(Comparator.comparingInt(NetworkInterface::getIndex))
          .map(NetworkInterface::getName);
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  private static int ifIndex(String name) {
    try {
      NetworkInterface nic = NetworkInterface.getByName(name);
      if (nic == null) {
        throw new IllegalArgumentException(name + ": No such device exists");
      }
      return nic.getIndex();
    } catch (SocketException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage());
    }
  }

  /** As libpcap maps ARPHRD types: Ethernet and loopback as Ethernet, no header as raw IP. */
  private static int linkType(String name) {
    try {
      int type =
          Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "type")).strip());
      return switch (type) {
        case ARPHRD_ETHER, ARPHRD_LOOPBACK -> PacketDecoder.LINKTYPE_ETHERNET;
        case ARPHRD_NONE -> PacketDecoder.LINKTYPE_RAW;
        default -> PacketDecoder.LINKTYPE_LINUX_SLL;
      };
    } catch (IOException | NumberFormatException e) {
      return PacketDecoder.LINKTYPE_ETHERNET;
    }
  }

  private static int loopbackIndex() {
    try {
      return NetworkInterface.networkInterfaces()
          .filter(PacketSocketsHelp::isLoopback)
          .mapToInt(NetworkInterface::getIndex)
          .findFirst()
          .orElse(-1);
    } catch (SocketException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    ring.close();
  }

  /** NetworkInterface's checked predicates as plain ones. */
  private static final class PacketSocketsHelp {
    static boolean isUpNotLoopback(NetworkInterface nic) {
      try {
        return nic.isUp() && !nic.isLoopback();
      } catch (SocketException e) {
        return false;
      }
    }

    static boolean isLoopback(NetworkInterface nic) {
      try {
        return nic.isLoopback();
      } catch (SocketException e) {
        return false;
      }
    }
  }
}
