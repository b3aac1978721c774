package dev.wharf.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicesTest {
  @TempDir Path dir;

  @Test
  void namesComeFromTheFirstFileThatHasThemAndOddLinesAreSkipped() throws Exception {
    Path etc = dir.resolve("services");
    Files.writeString(
        etc,
        """
        # a comment
        ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol
          http 80/tcp www # with an alias
        domain 53/udp
        unknown 99/tcp
        sctp-only 9/sctp
        noport x/tcp
        lonely
        """);
    Path nmap = dir.resolve("nmap-services");
    Files.writeString(nmap, "other-ssh\t22/tcp\t0.182286\nredis\t6379/tcp\t0.000100\n");
    int[] ports = {9, 22, 53, 80, 99, 6379};

    Services tcp = Services.of("tcp", ports, etc, nmap);
    Services udp = Services.of("udp", ports, etc, nmap);
    Services none = Services.of("tcp", ports, dir.resolve("missing"), dir.resolve("gone"));

    assertThat(tcp.name("tcp", 22)).isEqualTo("ssh");
    assertThat(tcp.name("tcp", 80)).isEqualTo("http");
    assertThat(udp.name("udp", 53)).isEqualTo("domain");
    assertThat(tcp.name("tcp", 53)).isEqualTo("unknown");
    assertThat(tcp.name("tcp", 6379)).isEqualTo("redis");
    assertThat(tcp.name("tcp", 99)).isEqualTo("unknown");
    assertThat(tcp.name("tcp", 9)).isEqualTo("unknown");
    assertThat(tcp.name("udp", 53)).isEqualTo("unknown");
    assertThat(none.name("tcp", 22)).isEqualTo("unknown");
  }

  @Test
  void onlyTheWantedPortsAreNamedAcrossBufferBoundaries() throws Exception {
    var lines = new StringBuilder("# nmap-services, much longer than the reader's buffer\n");
    for (int port = 1; port <= 20_000; port++) {
      lines.append("svc-").append(port).append('\t').append(port).append("/tcp\t0.000100\n");
      lines.append("svc-").append(port).append("u\t").append(port).append("/udp\t0.000100\n");
    }
    Path nmap = Files.writeString(dir.resolve("nmap-services"), lines);

    Services services =
        Services.of("udp", new int[] {1, 9_999, 20_000, 30_000}, dir.resolve("none"), nmap);

    assertThat(services.name("udp", 1)).isEqualTo("svc-1u");
    assertThat(services.name("udp", 9_999)).isEqualTo("svc-9999u");
    assertThat(services.name("udp", 20_000)).isEqualTo("svc-20000u");
    assertThat(services.name("udp", 30_000)).isEqualTo("unknown");
    assertThat(services.name("udp", 2)).isEqualTo("unknown"); // in the file, not asked for
  }

  /** As Debian's /etc/services: local additions at the end, below ports listed before them. */
  @Test
  void aFileOutOfOrderIsReadToItsEnd() throws Exception {
    Path etc =
        Files.writeString(
            dir.resolve("services"), "ssh 22/tcp\nhttp 80/tcp\n# Local services\nlocal 25/tcp\n");

    Path nmap = Files.writeString(dir.resolve("nmap-services"), "a 22/tcp 0.1\nb 80/tcp 0.1\n");

    Services services = Services.of("tcp", new int[] {22, 25}, etc, nmap);

    assertThat(services.name("tcp", 22)).isEqualTo("ssh");
    assertThat(services.name("tcp", 25)).isEqualTo("local");
  }

  /** nmap's file is generated in port order: past the last port wanted, nothing is read. */
  @Test
  void nmapsFileIsReadNoFurtherThanTheLastPortWanted() throws Exception {
    Path nmap =
        Files.writeString(
            dir.resolve("nmap-services"), "a 22/tcp 0.1\nb 80/tcp 0.1\nnot-read 25/tcp 0.1\n");

    Services services = Services.of("tcp", new int[] {22, 25}, dir.resolve("none"), nmap);

    assertThat(services.name("tcp", 22)).isEqualTo("a");
    assertThat(services.name("tcp", 25)).isEqualTo("unknown");
  }

  @Test
  void aProtocolOtherThanTcpOrUdpIsRefused() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> Services.of("sctp", new int[] {22}, dir, dir))
        .withMessage("protocol must be tcp or udp, got sctp");
  }
}
