package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.packets.pcap.CaptureFileReader;
import dev.wharf.packets.pcap.CaptureFileWriter;
import dev.wharf.packets.pcap.CapturedPacket;
import java.nio.ByteBuffer;
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
    try (var files = rotating(name, 100, 0, 0)) {
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
    try (var files = rotating(name, 0, 2, 0)) {
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
  void withWTheSizeRotationIsARingOfZeroPaddedFiles() throws Exception {
    String name = dir.resolve("r.pcap").toString();
    try (var files = rotating(name, 100, 0, 11)) {
      files.start(START);
      // Two packets a file: 26 packets fill 13 files, the ring of 11 overwrites the first two.
      for (int i = 0; i < 26; i++) {
        files.write(packet(44 + i / 24), START);
      }
    }
    var expected = new java.util.ArrayList<String>();
    for (int i = 0; i < 11; i++) {
      expected.add(String.format("r.pcap%02d", i));
    }
    assertThat(names()).isEqualTo(expected);
    // r.pcap01 was written last: its packets are the longer ones of the last two.
    assertThat(Files.size(dir.resolve("r.pcap01"))).isEqualTo(24 + 2 * 61);
    assertThat(Files.size(dir.resolve("r.pcap02"))).isEqualTo(24 + 2 * 60);
  }

  @Test
  void withWTheTimeRotationStopsAtTheLimit() throws Exception {
    String name = dir.resolve("g.pcap").toString();
    try (var files = rotating(name, 0, 1, 3)) {
      files.start(START);
      assertThat(frameAt(files, 1)).isTrue();
      assertThat(frameAt(files, 2)).isTrue();
      assertThat(files.limitReached()).isFalse();
      assertThat(frameAt(files, 3)).isFalse(); // it would be the fourth file
      assertThat(files.limitReached()).isTrue();
    }
    assertThat(names()).containsExactly("g.pcap"); // no strftime conversion: one name, rewritten
  }

  @Test
  void pcapngFilesRotateToo() throws Exception {
    String name = dir.resolve("n.pcapng").toString();
    try (var files =
        new RotatingPcap(
            name, CaptureFileWriter.Format.PCAPNG, 1, 262_144, "eth0", 100, 0, 0, ZoneOffset.UTC)) {
      files.start(START);
      for (int i = 0; i < 3; i++) {
        files.write(packet(44), START);
      }
    }
    // 68 bytes of section and interface blocks, 76 a packet: each file is over 100 after one.
    assertThat(names()).containsExactly("n.pcapng", "n.pcapng1", "n.pcapng2");
    for (String file : names()) {
      var reader = new CaptureFileReader(Files.newInputStream(dir.resolve(file)));
      assertThat(reader.linkType()).isEqualTo(1);
      assertThat(reader.next()).isPresent();
    }
  }

  @Test
  void strftimeFillsInTheUsualConversionsAndKeepsTheRest() {
    var time = ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
    assertThat(RotatingPcap.strftime("%Y-%m-%d_%H:%M:%S %j %s %% %q", time))
        .isEqualTo("2026-01-02_03:04:05 002 " + time.toEpochSecond() + " % %q");
  }

  /** A 10-byte frame {@code seconds} after the start, as the capture ring hands one over. */
  private static boolean frameAt(RotatingPcap files, long seconds) throws Exception {
    return files.accept(
        ByteBuffer.wrap(new byte[10]), 0, 10, 10, START.getEpochSecond() + seconds, 0);
  }

  private RotatingPcap rotating(String name, long size, long seconds, int limit) {
    return new RotatingPcap(
        name,
        CaptureFileWriter.Format.PCAP,
        1,
        262_144,
        null,
        size,
        seconds,
        limit,
        ZoneOffset.UTC);
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
