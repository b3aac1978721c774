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

  /**
   * dumpcap -i eth0 -i tun0 -i any: three interfaces, three link types, each with its own clock
   * resolution. Each packet says its own interface; its time is counted in that one's unit.
   */
  @Test
  void eachPacketIsOfItsOwnInterfaceWithItsLinkTypeAndClock() throws IOException {
    long second = 1_733_300_000L;
    var reader =
        new PcapngBytes()
            .section(ByteOrder.LITTLE_ENDIAN)
            .iface(1, 262_144, -1, 0) // no if_tsresol: microseconds
            .iface(101, 1500, 9, 0) // nanoseconds
            .iface(113, 0, 0x80 | 20, 3600) // 2^-20 s, an hour's if_tsoffset
            .enhanced(1, second * 1_000_000_000L + 123_456_789, new byte[] {0x45}, 84)
            .enhanced(0, second * 1_000_000L + 654_321, new byte[] {1, 2}, 60)
            .other()
            .enhanced(2, (second << 20) + (1 << 19) + 1, new byte[] {3}, 1)
            .reader();
    assertThat(reader.linkType()).isEqualTo(1);
    List<CapturedPacket> read = readAll(reader);
    assertThat(read).extracting(CapturedPacket::interfaceId).containsExactly(1, 0, 2);
    assertThat(read).extracting(p -> reader.interfaceOf(p).linkType()).containsExactly(101, 1, 113);
    assertThat(read.get(0).time()).isEqualTo(Instant.ofEpochSecond(second, 123_456_789));
    assertThat(read.get(1).time()).isEqualTo(Instant.ofEpochSecond(second, 654_321_000));
    // Half a second and one tick of 2^-20 s (953.67 ns), rounded down as libpcap does.
    assertThat(read.get(2).time()).isEqualTo(Instant.ofEpochSecond(second + 3600, 500_000_953));
    assertThat(reader.interfaces())
        .extracting(CaptureInterface::snapLength)
        .containsExactly(262_144, 1500, 0);
  }

  /**
   * A big-endian section (as written on SPARC or s390x), then a little-endian one: the second
   * section's interfaces are numbered from 0 again, and follow the first's in interfaces().
   */
  @Test
  void aBigEndianSectionThenALittleEndianOneWithInterfacesNumberedAfresh() throws IOException {
    var reader =
        new PcapngBytes()
            .section(ByteOrder.BIG_ENDIAN)
            .iface(276, 65_535, 6, 0)
            .enhanced(0, 1_500_000, new byte[] {9, 8, 7, 6, 5}, 5)
            .section(ByteOrder.LITTLE_ENDIAN)
            .iface(1, 65_535, 9, 0)
            .iface(101, 65_535, 9, 0)
            .enhanced(1, 2_000_000_001L, new byte[] {0x60}, 40)
            .reader();
    assertThat(reader.linkType()).isEqualTo(276);
    List<CapturedPacket> read = readAll(reader);
    assertThat(read).hasSize(2);
    assertThat(read.get(0).data()).containsExactly(9, 8, 7, 6, 5);
    assertThat(read.get(0).time()).isEqualTo(Instant.ofEpochSecond(1, 500_000_000));
    assertThat(read.get(1).interfaceId()).isEqualTo(2);
    assertThat(reader.interfaceOf(read.get(1)).linkType()).isEqualTo(101);
    assertThat(read.get(1).time()).isEqualTo(Instant.ofEpochSecond(2, 1));
  }

  /**
   * A simple packet block has no timestamp and no captured length: the packet is the wire length
   * cut to the first interface's snap length, not the block's padding; an obsolete packet block is
   * read as an enhanced one.
   */
  @Test
  void simpleAndObsoletePacketBlocksAreRead() throws IOException {
    var reader =
        new PcapngBytes()
            .section(ByteOrder.BIG_ENDIAN)
            .iface(1, 6, -1, 0)
            .simple(5, new byte[] {1, 2, 3, 4, 5})
            .simple(1000, new byte[] {1, 2, 3, 4, 5, 6})
            .obsolete(0, 2_000_000, new byte[] {7}, 70)
            .reader();
    List<CapturedPacket> read = readAll(reader);
    assertThat(read).hasSize(3);
    assertThat(read.get(0).data()).containsExactly(1, 2, 3, 4, 5);
    assertThat(read.get(0).time()).isEqualTo(Instant.EPOCH);
    assertThat(read.get(1).data()).hasSize(6);
    assertThat(read.get(1).wireLength()).isEqualTo(1000);
    assertThat(read.get(2).data()).containsExactly(7);
    assertThat(read.get(2).time()).isEqualTo(Instant.ofEpochSecond(2));
  }

  @Test
  void aPacketOfAnInterfaceNeverDescribedIsMalformed() throws IOException {
    var reader =
        new PcapngBytes()
            .section(ByteOrder.LITTLE_ENDIAN)
            .iface(1, 65_535, 6, 0)
            .enhanced(1, 0, new byte[] {1}, 1)
            .reader();
    assertThatThrownBy(reader::next)
        .isInstanceOf(IOException.class)
        .hasMessage("malformed pcapng: a packet of interface 1, but its section describes 1");
  }

  /** Blocks too short for their own fields: a plain IOException, never an index out of bounds. */
  @Test
  void blocksTooShortForTheirFieldsAreMalformed() throws IOException {
    for (int type : new int[] {1, 2, 3, 6}) {
      var file = new PcapngBytes().section(ByteOrder.LITTLE_ENDIAN);
      if (type != 1) {
        file.iface(1, 65_535, 6, 0);
      }
      var bytes = file.ints(type, 12, 12); // a block with no body at all
      assertThatThrownBy(() -> readAll(bytes.reader()))
          .as("block type %d", type)
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("malformed pcapng: a");
    }
  }

  @Test
  void anIfTsresolFinerThanALongCanCountIsMalformed() {
    var file = new PcapngBytes().section(ByteOrder.LITTLE_ENDIAN).iface(1, 65_535, 19, 0);
    assertThatThrownBy(file::reader)
        .isInstanceOf(IOException.class)
        .hasMessage("malformed pcapng: if_tsresol 10^-19 is finer than this reader can count");
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
