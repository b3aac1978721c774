package dev.wharf.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopPortsTest {
  @TempDir Path dir;

  @Test
  void mostFrequentFirstTiesInTheFilesOrderAndOnlyTheProtocolAsked() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("nmap-services"),
            """
            # Fields in this file are: Service name, portnum/protocol, open-frequency, comments
            tcpmux\t1/tcp\t0.001995\t# TCP Port Service Multiplexer
            tcpmux\t1/udp\t0.501236
            echo\t7/tcp\t0.004855
            discard\t9/tcp\t0.003764\t# sink null
            unknown\t10/tcp\t0.003764
            sctp-thing\t11/sctp\t0.900000
            no-frequency\t12/tcp
            ssh\t22/tcp\t0.182286\t# Secure Shell Login
            """);

    assertThat(TopPorts.fromNmapServices(file, 10, "tcp")).containsExactly(22, 7, 9, 10, 1);
    assertThat(TopPorts.fromNmapServices(file, 2, "tcp")).containsExactly(22, 7);
    assertThat(TopPorts.fromNmapServices(file, 10, "udp")).containsExactly(1);
  }

  /** The ordering depends on it: ties must stay ties, and no neighbours may swap. */
  @Test
  void frequenciesReadAsBytesAreParseDoublesForEveryLineOfNmapsFile() throws Exception {
    assumeTrue(Files.isReadable(TopPorts.NMAP_SERVICES), "nmap is not installed");
    int lines = 0;
    for (String line : Files.readAllLines(TopPorts.NMAP_SERVICES, StandardCharsets.ISO_8859_1)) {
      String[] fields = line.split("\\s+");
      if (line.startsWith("#") || fields.length < 3) {
        continue;
      }
      byte[] bytes = fields[2].getBytes(StandardCharsets.US_ASCII);
      assertThat(ServicesFile.decimal(bytes, 0, bytes.length))
          .as(line)
          .isEqualTo(Double.parseDouble(fields[2]));
      lines++;
    }
    assertThat(lines).isGreaterThan(20_000);
  }
}
