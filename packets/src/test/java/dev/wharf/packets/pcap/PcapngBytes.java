package dev.wharf.packets.pcap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A pcapng file made block by block in a test, in either byte order: the blocks and options the
 * reader must know, including those no tool on this machine writes (big-endian sections, simple and
 * obsolete packet blocks, binary if_tsresol, if_tsoffset).
 */
final class PcapngBytes {
  private final ByteBuffer file = ByteBuffer.allocate(1 << 16);

  /** A section header block in {@code order}; the blocks after it are in that order too. */
  PcapngBytes section(ByteOrder order) {
    file.order(order);
    file.putInt(0x0a0d0d0a).putInt(28).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0);
    file.putLong(-1).putInt(28);
    return this;
  }

  /** An interface description block; {@code tsresol} below 0: no if_tsresol option. */
  PcapngBytes iface(int linkType, int snapLength, int tsresol, long tsoffset) {
    int options = (tsresol >= 0 ? 8 : 0) + (tsoffset != 0 ? 12 : 0) + 4;
    int length = 20 + options;
    file.putInt(1).putInt(length).putShort((short) linkType).putShort((short) 0).putInt(snapLength);
    if (tsresol >= 0) {
      file.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
    }
    if (tsoffset != 0) {
      file.putShort((short) 14).putShort((short) 8).putLong(tsoffset);
    }
    file.putShort((short) 0).putShort((short) 0).putInt(length);
    return this;
  }

  /** An enhanced packet block: interface {@code id}, {@code ticks}, the bytes, padded. */
  PcapngBytes enhanced(int id, long ticks, byte[] data, int wire) {
    int length = 32 + pad(data.length);
    file.putInt(6).putInt(length).putInt(id).putInt((int) (ticks >>> 32)).putInt((int) ticks);
    file.putInt(data.length).putInt(wire).put(data).put(new byte[pad(data.length) - data.length]);
    file.putInt(length);
    return this;
  }

  /** An obsolete packet block (type 2): a 16-bit interface and drop count, else as enhanced. */
  PcapngBytes obsolete(int id, long ticks, byte[] data, int wire) {
    int length = 32 + pad(data.length);
    file.putInt(2).putInt(length).putShort((short) id).putShort((short) 0);
    file.putInt((int) (ticks >>> 32)).putInt((int) ticks);
    file.putInt(data.length).putInt(wire).put(data).put(new byte[pad(data.length) - data.length]);
    file.putInt(length);
    return this;
  }

  /** A simple packet block: the wire length, then {@code data} (as much as was kept), padded. */
  PcapngBytes simple(int wire, byte[] data) {
    int length = 16 + pad(data.length);
    file.putInt(3).putInt(length).putInt(wire).put(data);
    file.put(new byte[pad(data.length) - data.length]).putInt(length);
    return this;
  }

  /** A block of a type the reader skips (a name resolution block, empty). */
  PcapngBytes other() {
    file.putInt(4).putInt(16).putInt(0).putInt(16);
    return this;
  }

  /** Raw words, for malformed blocks. */
  PcapngBytes ints(int... words) {
    for (int word : words) {
      file.putInt(word);
    }
    return this;
  }

  CaptureFileReader reader() throws IOException {
    return new CaptureFileReader(new ByteArrayInputStream(file.array(), 0, file.position()));
  }

  private static int pad(int length) {
    return (length + 3) & ~3;
  }
}
