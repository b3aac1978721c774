package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.packets.decode.PacketDecoder;
import dev.wharf.packets.decode.TcpdumpText;
import dev.wharf.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tcpdump's names without -n (addrtoname.c): ports from a services file, MACs with their OUI's
 * name, hosts from a reverse lookup that may not hold the capture up for long. TraceIT compares
 * with tcpdump on a namespace's loopback.
 */
class SystemNamesTest {
  private static final Duration SHORT = Duration.ofMillis(50);

  @TempDir Path dir;

  @Test
  void portsAreTheFirstServiceForTheirProtocolAndOthersNumbers() throws Exception {
    Path services = dir.resolve("services");
    Files.writeString(
        services,
        """
        # comment
        domain\t\t53/tcp\t\t\t\t# Domain Name Server
        domain\t\t53/udp
        http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP
        www-second\t80/tcp
        mdns\t\t5353/udp
        """);
    var names = new SystemNames(address -> address, SHORT, services, dir.resolve("none"));
    assertThat(names.tcpPort(80)).isEqualTo("http");
    assertThat(names.udpPort(80)).isEqualTo("80");
    assertThat(names.udpPort(53)).isEqualTo("domain");
    assertThat(names.tcpPort(5353)).isEqualTo("5353");
    assertThat(names.udpPort(5353)).isEqualTo("mdns");
  }

  @Test
  void macsAreNamedByEthersOrTheirOuiAsTcpdumpNamesThem() throws Exception {
    Path ethers = dir.resolve("ethers");
    Files.writeString(ethers, "2:0:0:0:0:aa router # the gateway\n");
    var names = new SystemNames(address -> address, SHORT, dir.resolve("none"), ethers);
    assertThat(names.mac("02:00:00:00:00:aa")).isEqualTo("router");
    assertThat(names.mac("ff:ff:ff:ff:ff:ff")).isEqualTo("Broadcast");
    assertThat(names.mac("00:00:00:00:00:00")).isEqualTo("00:00:00:00:00:00 (oui Ethernet)");
    assertThat(names.mac("00:10:18:00:00:01")).isEqualTo("00:10:18:00:00:01 (oui Broadcom)");
    assertThat(names.mac("00:80:c2:00:00:01"))
        .isEqualTo("00:80:c2:00:00:01 (oui Ethernet bridged)");
    assertThat(names.mac("02:00:00:00:00:01")).isEqualTo("02:00:00:00:00:01 (oui Unknown)");
  }

  @Test
  void aHostIsItsNameAndOneWhoseLookupFailsItsNumber() {
    var names =
        new SystemNames(
            address -> {
              if (address.equals("10.0.0.9")) {
                throw new IllegalStateException("resolver broke");
              }
              return Map.of("127.0.0.1", "localhost").getOrDefault(address, address);
            },
            Duration.ofSeconds(30),
            dir.resolve("none"),
            dir.resolve("none"));
    assertThat(names.host("127.0.0.1")).isEqualTo("localhost");
    assertThat(names.host("10.0.0.1")).isEqualTo("10.0.0.1");
    assertThat(names.host("10.0.0.9")).isEqualTo("10.0.0.9");
  }

  /**
   * A lookup that does not answer in time leaves its address a number, and the capture goes on;
   * once it answers, later packets have the name.
   */
  @Test
  void aSlowLookupIsANumberUntilItsAnswerComes() {
    var answer = new CountDownLatch(1);
    var names =
        new SystemNames(
            address -> {
              try {
                answer.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return "slow.example";
            },
            SHORT,
            dir.resolve("none"),
            dir.resolve("none"));
    assertThat(names.host("192.0.2.1")).isEqualTo("192.0.2.1");
    assertThat(names.host("192.0.2.1")).isEqualTo("192.0.2.1"); // not waited for again
    answer.countDown();
    Await.until(
        "the late name",
        Duration.ofSeconds(10),
        () -> names.host("192.0.2.1").equals("slow.example"));
  }

  /** The names in a line: hosts, ports, and with -e the MACs, as tcpdump writes them. */
  @Test
  void aLineNamesItsHostsPortsAndMacs() throws Exception {
    Path services = dir.resolve("services");
    Files.writeString(services, "http 80/tcp www\n");
    var names =
        new SystemNames(
            address -> address.equals("10.77.0.1") ? "server" : address,
            Duration.ofSeconds(30),
            services,
            dir.resolve("none"));
    // A SYN from 10.77.0.2:43912 to 10.77.0.1:80 (TraceIT's veth pair).
    byte[] syn =
        HexFormat.of()
            .parseHex(
                "bef6773e71aafa86fcf1c1370800450000284d2a40004006d9860a4d00020a4d0001ab88"
                    + "00503a0b52560000000050027210e0940000");
    var decoded = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, syn, syn.length);
    assertThat(new TcpdumpText(false, true, new ApplicationWords(), names).line(decoded, syn))
        .startsWith(
            "fa:86:fc:f1:c1:37 (oui Unknown) > be:f6:77:3e:71:aa (oui Unknown), ethertype IPv4"
                + " (0x0800), length 54: 10.77.0.2.43912 > server.http: Flags [S]");
  }
}
