package dev.wharf.packets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devices read from a /sys/class/net made here, in libpcap's order and with tcpdump -D's words
 * (TraceIT holds the real one to tcpdump -D).
 */
class CaptureDevicesTest {
  @TempDir Path sys;

  private void device(String name, int index, String flags, String operstate, boolean wireless)
      throws IOException {
    Path dir = Files.createDirectories(sys.resolve(name));
    Files.writeString(dir.resolve("ifindex"), index + "\n");
    Files.writeString(dir.resolve("flags"), flags + "\n");
    Files.writeString(dir.resolve("operstate"), operstate + "\n");
    if (wireless) {
      Files.createDirectory(dir.resolve("wireless"));
    }
  }

  @Test
  void listsAsTcpdumpDoes() throws Exception {
    device("lo", 1, "0x9", "unknown", false);
    device("eth0", 2, "0x1003", "up", false);
    device("ifb0", 3, "0x82", "down", false);
    device("veth1", 4, "0x1003", "lowerlayerdown", false); // up, its peer down
    device("veth0", 5, "0x1002", "down", false);
    device("wlan0", 6, "0x1003", "dormant", true);
    device("br0", 7, "0x1003", "up", false);
    // What the drivers say (ETHTOOL_GLINK); ifb says nothing.
    Map<String, Optional<Boolean>> links =
        Map.of(
            "eth0", Optional.of(true),
            "ifb0", Optional.empty(),
            "veth1", Optional.of(false),
            "veth0", Optional.of(false),
            "wlan0", Optional.of(false),
            "br0", Optional.of(true));

    List<CaptureDevices.Device> devices = CaptureDevices.list(sys, links::get);

    assertThat(
            IntStream.range(0, devices.size())
                .mapToObj(i -> CaptureDevices.line(i + 1, devices.get(i))))
        .containsExactly(
            "1.eth0 [Up, Running, Connected]",
            "2.br0 [Up, Running, Connected]",
            "3.any (Pseudo-device that captures on all interfaces) [Up, Running]",
            "4.lo [Up, Running, Loopback]",
            "5.wlan0 [Up, Wireless, Not associated]",
            "6.veth1 [Up, Disconnected]",
            "7.ifb0 [none]",
            "8.veth0 [none, Disconnected]");
  }

  @Test
  void anInterfaceGoneWhileReadIsLeftOut() throws Exception {
    device("eth0", 2, "0x1003", "up", false);
    Files.createDirectories(sys.resolve("gone")); // no files left in it

    assertThat(CaptureDevices.list(sys, name -> Optional.of(true)))
        .extracting(CaptureDevices.Device::name)
        .containsExactly("eth0", "any");
  }
}
