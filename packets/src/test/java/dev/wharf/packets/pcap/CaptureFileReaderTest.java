package dev.wharf.packets.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaptureFileReaderTest {

  @Test
  void whatTheWriterWritesAsPcapIsReadBack() throws IOException {
    List<CapturedPacket> read = writtenAndReadBack(CaptureFileWriter.Format.PCAP, 113);
    assertThat(read.getFirst().time()).isEqualTo(Instant.parse("2026-12-03T10:00:00.123456Z"));
  }

  @Test
  void whatTheWriterWritesAsPcapngIsReadBackWithNanoseconds() throws IOException {
    List<CapturedPacket> read = writtenAndReadBack(CaptureFileWriter.Format.PCAPNG, 276);
    assertThat(read.getFirst().time()).isEqualTo(Instant.parse("2026-12-03T10:00:00.123456789Z"));
  }

  @Test
  void aSmallBufferIsWrittenWhenFullAndTheSizeCountsIt() throws IOException {
    var bytes = new ByteArrayOutputStream();
    var writer =
        new CaptureFileWriter(
            Channels.newChannel(bytes), CaptureFileWriter.Format.PCAP, 1, 100, null, 0);
    for (int i = 0; i < 50; i++) {
      writer.write(new CapturedPacket(Instant.EPOCH, new byte[100], 100));
    }
    assertThat(writer.size()).isEqualTo(24 + 50 * 116);
    assertThat(bytes.size()).isPositive().isLessThan(24 + 50 * 116);
    writer.close();
    assertThat(bytes.size()).isEqualTo(24 + 50 * 116);
    assertThat(readAll(new CaptureFileReader(new ByteArrayInputStream(bytes.toByteArray()))))
        .hasSize(50);
  }

  /** Two packets written (one 5 bytes long: pcapng pads it) with {@code linkType}, read back. */
  private static List<CapturedPacket> writtenAndReadBack(
      CaptureFileWriter.Format format, int linkType) throws IOException {
    var bytes = new ByteArrayOutputStream();
    var first =
        new CapturedPacket(
            Instant.parse("2026-12-03T10:00:00.123456789Z"), new byte[] {1, 2, 3, 4, 5}, 60);
    var second = new CapturedPacket(Instant.parse("2026-12-03T10:00:01Z"), new byte[] {3}, 1);
    try (var writer =
        new CaptureFileWriter(Channels.newChannel(bytes), format, linkType, 262_144, "eth0", 0)) {
      writer.write(first);
      writer.write(second);
    }
    var reader = new CaptureFileReader(new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(reader.linkType()).isEqualTo(linkType);
    List<CapturedPacket> read = readAll(reader);
    assertThat(read).hasSize(2);
    assertThat(read.getFirst().data()).containsExactly(1, 2, 3, 4, 5);
    assertThat(read.getFirst().wireLength()).isEqualTo(60);
    assertThat(read.get(1).data()).containsExactly(3);
    assertThat(read.get(1).time()).isEqualTo(second.time());
    return read;
  }

  @Test
  void aPcapngSectionWithAnInterfaceAndAnEnhancedPacketIsRead() throws IOException {
    ByteBuffer file = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
    // Section header block: type, length 28, byte-order magic, version 1.0, section length -1.
    file.putInt(0x0a0d0d0a).putInt(28).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0);
    file.putLong(-1).putInt(28);
    // Interface description block: link type 113, snap length, if_tsresol 9 (nanoseconds).
    file.putInt(1).putInt(32).putShort((short) 113).putShort((short) 0).putInt(65_535);
    file.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]);
    file.putShort((short) 0).putShort((short) 0).putInt(32);
    // Enhanced packet block: interface 0, 1.5 s after the epoch in ns, 3 of 5 bytes.
    long ticks = 1_500_000_000L;
    file.putInt(6).putInt(36).putInt(0).putInt((int) (ticks >>> 32)).putInt((int) ticks);
    file.putInt(3).putInt(5).put(new byte[] {7, 8, 9, 0}).putInt(36);
    var reader = new CaptureFileReader(new ByteArrayInputStream(file.array(), 0, file.position()));
    Optional<CapturedPacket> packet = reader.next();
    assertThat(reader.linkType()).isEqualTo(113);
    assertThat(packet).hasValueSatisfying(p -> assertThat(p.data()).containsExactly(7, 8, 9));
    assertThat(packet.get().time()).isEqualTo(Instant.ofEpochSecond(1, 500_000_000));
    assertThat(packet.get().wireLength()).isEqualTo(5);
    assertThat(reader.next()).isEmpty();
  }

  @Test
  void aFileThatIsNeitherIsRefusedPlainly() {
    assertThatThrownBy(() -> new CaptureFileReader(new ByteArrayInputStream("GIF89a..".getBytes())))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("not a pcap or pcapng file");
  }

  @Test
  void aFileThatEndsInsideItsHeaderSaysSo() {
    byte[] pcapHeaderCut = {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0};
    for (byte[] file : List.of(new byte[0], pcapHeaderCut)) {
      assertThatThrownBy(() -> new CaptureFileReader(new ByteArrayInputStream(file)))
          .isInstanceOf(IOException.class)
          .hasMessage("truncated capture file: it ends inside its file header");
    }
  }

  @Test
  void anAbsurdRecordLengthIsMalformedNotAnAllocation() throws IOException {
    ByteBuffer file = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    file.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    file.putInt(65_535).putInt(1);
    file.putInt(0).putInt(0).putInt(Integer.MAX_VALUE).putInt(1);
    var reader = new CaptureFileReader(new ByteArrayInputStream(file.array()));
    assertThatThrownBy(reader::next).hasMessageContaining("malformed pcap");
  }

  private static List<CapturedPacket> readAll(CaptureFileReader reader) throws IOException {
    var all = new ArrayList<CapturedPacket>();
    for (var next = reader.next(); next.isPresent(); next = reader.next()) {
      all.add(next.get());
    }
    return all;
  }
}
