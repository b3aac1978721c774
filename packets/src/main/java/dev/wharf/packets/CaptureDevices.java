package dev.wharf.packets;

import dev.wharf.packets.internal.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The devices a capture can open, as {@code tcpdump -D} lists them: every network interface of this
 * network namespace, and {@code any}, with their state. Read from {@code /sys/class/net}.
 */
public final class CaptureDevices {
  private CaptureDevices() {}

  /** The pseudo-device that captures on all interfaces, as libpcap describes it. */
  public static final String ANY = "any";

  // <linux/if.h>
  private static final int IFF_UP = 0x1;
  private static final int IFF_LOOPBACK = 0x8;

  /**
   * One device: {@code connected} is empty where it does not apply (a loopback, {@code any}) or the
   * driver does not say (ifb, tun).
   */
  public record Device(
      String name,
      Optional<String> description,
      int index,
      boolean up,
      boolean running,
      boolean loopback,
      boolean wireless,
      Optional<Boolean> connected) {

    /** tcpdump's words for the flags: "Up, Running, Connected", or "none". */
    public String flags() {
      var words = new StringJoiner(", ");
      if (up) {
        words.add("Up");
      }
      if (running) {
        words.add("Running");
      }
      if (wireless) {
        words.add("Wireless");
      }
      if (loopback) {
        words.add("Loopback");
      }
      // libpcap writes "none" for no flags even when a connection status follows.
      String flags = words.length() == 0 ? "none" : words.toString();
      return connected
          .map(
              yes ->
                  flags
                      + ", "
                      + (wireless
                          ? (yes ? "Associated" : "Not associated")
                          : (yes ? "Connected" : "Disconnected")))
          .orElse(flags);
    }

    /**
     * As libpcap orders them (lower first, then by interface index): running, up, not disconnected,
     * not a loopback, in that order of weight; {@code any} after the other interfaces that are up
     * but before the loopback.
     */
    long merit() {
      long n = name.equals(ANY) ? 1 : 0;
      if (!running) {
        n |= 1L << 31;
      }
      if (!up) {
        n |= 1L << 30;
      }
      if (!wireless && connected.equals(Optional.of(false))) {
        n |= 1L << 29;
      }
      if (loopback) {
        n |= 1L << 28;
      }
      return n;
    }
  }

  /** The devices, in the order {@code tcpdump -D} lists them. */
  public static List<Device> list() throws IOException {
    return list(Path.of("/sys/class/net"), CaptureDevices::linkDetected);
  }

  /**
   * The devices of {@code sysClassNet}, the link of each that is up and not a loopback told by
   * {@code link}.
   */
  static List<Device> list(Path sysClassNet, Function<String, Optional<Boolean>> link)
      throws IOException {
    var devices = new ArrayList<Device>();
    try (Stream<Path> interfaces = Files.list(sysClassNet)) {
      for (Path dir : (Iterable<Path>) interfaces.sorted()::iterator) {
        read(dir, link).ifPresent(devices::add);
      }
    }
    devices.add(
        new Device(
            ANY,
            Optional.of("Pseudo-device that captures on all interfaces"),
            0,
            true,
            true,
            false,
            false,
            Optional.empty()));
    devices.sort(Comparator.comparingLong(Device::merit).thenComparingInt(Device::index));
    return devices;
  }

  /** One interface's directory; empty for an interface that went away while it was read. */
  private static Optional<Device> read(Path dir, Function<String, Optional<Boolean>> link) {
    try {
      int flags = Integer.decode(Files.readString(dir.resolve("flags")).strip());
      int index = Integer.parseInt(Files.readString(dir.resolve("ifindex")).strip());
      String operstate = Files.readString(dir.resolve("operstate")).strip();
      boolean up = (flags & IFF_UP) != 0;
      boolean loopback = (flags & IFF_LOOPBACK) != 0;
      // IFF_RUNNING, which the flags file leaves out: the kernel sets it for an interface that is
      // up and whose operational state is up or unknown (a loopback's, a tunnel's).
      boolean running = up && (operstate.equals("up") || operstate.equals("unknown"));
      String name = dir.getFileName().toString();
      Optional<Boolean> connected = loopback ? Optional.empty() : link.apply(name);
      boolean wireless =
          Files.isDirectory(dir.resolve("wireless")) || Files.exists(dir.resolve("phy80211"));
      return Optional.of(
          new Device(name, Optional.empty(), index, up, running, loopback, wireless, connected));
    } catch (IOException | NumberFormatException gone) {
      return Optional.empty();
    }
  }

  /**
   * The driver's answer (ETHTOOL_GLINK, as libpcap asks it); where native access is refused, the
   * kernel's carrier file, which answers only for an interface that is up.
   */
  private static Optional<Boolean> linkDetected(String name) {
    try {
      return Libc.get().linkDetected(name);
    } catch (PacketSocketException noNativeAccess) {
      try {
        return Optional.of(
            Files.readString(Path.of("/sys/class/net", name, "carrier")).strip().equals("1"));
      } catch (IOException notReported) {
        return Optional.empty();
      }
    }
  }

  /** One line of {@code tcpdump -D}: {@code 1.eth0 [Up, Running, Connected]}. */
  public static String line(int number, Device device) {
    return number
        + "."
        + device.name()
        + device.description().map(d -> " (" + d + ")").orElse("")
        + " ["
        + device.flags()
        + "]";
  }
}
