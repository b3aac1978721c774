package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.packets.pcap.CapturedPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tcpdump's -C and -G file naming (tcpdump.c's MakeFilename), with the clock given. */
class RotatingPcapTest {
  @TempDir Path dir;

  private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");

  @Test
  void overTheSizeTheNextPacketStartsFileOneThenTwo() throws Exception {
    String name = dir.resolve("c.pcap").toString();
    try (var files = new RotatingPcap(name, 1, 262_144, 100, 0, ZoneOffset.UTC)) {
      files.start(START);
      for (int i = 0; i < 5; i++) {
        // 24 (file header) + 16 + 44 = 84, then 144: over 100, so the third packet starts c.pcap1.
        files.write(packet(44), START);
      }
    }
    assertThat(names()).containsExactly("c.pcap", "c.pcap1", "c.pcap2");
    assertThat(Files.size(dir.resolve("c.pcap"))).isEqualTo(24 + 2 * 60);
    assertThat(Files.size(dir.resolve("c.pcap2"))).isEqualTo(24 + 60);
  }

  @Test
  void everyGSecondsANewFileNamedByStrftime() throws Exception {
    String name = dir.resolve("g-%Y%m%d-%H%M%S.pcap").toString();
    try (var files = new RotatingPcap(name, 1, 262_144, 0, 2, ZoneOffset.UTC)) {
      files.start(START);
      files.write(packet(10), START.plusMillis(500));
      files.write(packet(10), START.plusMillis(1999));
      files.write(packet(10), START.plusMillis(2100)); // 2 s after the first file opened
      files.write(packet(10), START.plusSeconds(5));
    }
    assertThat(names())
        .containsExactly(
            "g-20261203-100000.pcap", "g-20261203-100002.pcap", "g-20261203-100005.pcap");
  }

  @Test
  void strftimeFillsInTheUsualConversionsAndKeepsTheRest() {
    var time = ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
    assertThat(RotatingPcap.strftime("%Y-%m-%d_%H:%M:%S %j %s %% %q", time))
        .isEqualTo("2026-01-02_03:04:05 002 " + time.toEpochSecond() + " % %q");
  }

  private static CapturedPacket packet(int length) {
    return new CapturedPacket(START, new byte[length], length);
  }

  private Stream<String> namesStream() throws Exception {
    return Files.list(dir).map(file -> file.getFileName().toString()).sorted();
  }

  private java.util.List<String> names() throws Exception {
    try (var names = namesStream()) {
      return names.toList();
    }
  }
}
