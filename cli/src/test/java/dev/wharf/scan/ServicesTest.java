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

    Services services = Services.of(etc, nmap, dir.resolve("missing"));

    assertThat(services.name(22)).isEqualTo("ssh");
    assertThat(services.name(80)).isEqualTo("http");
    assertThat(services.name("udp", 53)).isEqualTo("domain");
    assertThat(services.name(53)).isEqualTo("unknown");
    assertThat(services.name(6379)).isEqualTo("redis");
    assertThat(services.name(99)).isEqualTo("unknown");
    assertThat(services.name(9)).isEqualTo("unknown");
  }
}
