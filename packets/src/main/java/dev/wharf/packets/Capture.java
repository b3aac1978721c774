package dev.wharf.packets;

import dev.wharf.packets.decode.PacketDecoder;
import dev.wharf.packets.internal.Libpcap;
import dev.wharf.packets.internal.PacketSocket;
import dev.wharf.packets.pcap.CapturedPacket;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

/**
 * A live capture on one interface or on all ({@code "any"}), as tcpdump's: frames with their link
 * header (Ethernet; Linux cooked SLL for {@code any} and devices without one), filtered by a
 * tcpdump expression that the system's libpcap compiles to classic BPF. On one interface the
 * program runs in the kernel, attached to the socket; on {@code any} it runs here, on each frame.
 * Linux only; needs CAP_NET_RAW. Not thread-safe: one thread reads; {@link #statistics} and {@link
 * #close} from that thread or after it stopped.
 */
public final class Capture implements AutoCloseable {
  private static final int ARPHRD_ETHER = 1;
  private static final int ARPHRD_LOOPBACK = 772;
  private static final int ARPHRD_NONE = 65_534;

  /** What the kernel counted: packets its filter passed, and packets it dropped. */
  public record Statistics(long received, long dropped) {}

  private final PacketSocket socket;
  private final int linkType;
  private final byte[] userSpaceFilter;

  private Capture(PacketSocket socket, int linkType, byte[] userSpaceFilter) {
    this.socket = socket;
    this.linkType = linkType;
    this.userSpaceFilter = userSpaceFilter;
  }

  /**
   * Opens a capture.
   *
   * @param interfaceName an interface's name, or {@code any}
   * @param filter a tcpdump filter expression, empty for every packet
   * @throws IllegalArgumentException for an unknown interface or a bad filter (libpcap's words)
   * @throws PacketSocketException where the kernel refuses (see {@link
   *     PacketSocketException#isPermissionDenied()}), or libpcap is missing for a filter
   */
  public static Capture open(String interfaceName, int snapLength, String filter)
      throws PacketSocketException {
    boolean any = interfaceName.equals("any");
    int ifIndex = any ? 0 : ifIndex(interfaceName);
    int linkType = any ? PacketDecoder.LINKTYPE_LINUX_SLL : linkType(interfaceName);
    boolean cooked = linkType == PacketDecoder.LINKTYPE_LINUX_SLL;
    byte[] program = new byte[0];
    if (!filter.isBlank()) {
      program = Libpcap.get().compile(linkType, snapLength, filter);
    }
    int loopback = loopbackIndex();
    // A cooked socket's frames reach the kernel's filter without the SLL header the program
    // expects (libpcap rewrites such programs); ours runs it here instead.
    var socket =
        PacketSocket.open(ifIndex, cooked, snapLength, cooked ? new byte[0] : program, loopback);
    return new Capture(socket, linkType, cooked ? program : new byte[0]);
  }

  /** The pcap link type of the frames: 1 (Ethernet), 113 (Linux SLL) or 101 (raw IP). */
  public int linkType() {
    return linkType;
  }

  /** The next frame the filter passes, waiting until {@code deadlineNanos}; empty by then. */
  public Optional<CapturedPacket> next(long deadlineNanos) throws PacketSocketException {
    while (true) {
      PacketSocket.Frame frame = socket.receiveNow();
      if (frame != null) {
        if (userSpaceFilter.length > 0
            && !Libpcap.get().matches(userSpaceFilter, frame.data(), frame.wireLength())) {
          continue;
        }
        return Optional.of(new CapturedPacket(Instant.now(), frame.data(), frame.wireLength()));
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      socket.awaitReadable((int) Math.min(1000, Math.max(1, left / 1_000_000)));
    }
  }

  public Statistics statistics() throws PacketSocketException {
    long[] counts = socket.statistics();
    return new Statistics(counts[0], counts[1]);
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
    socket.close();
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
