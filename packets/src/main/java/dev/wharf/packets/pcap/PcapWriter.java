package dev.wharf.packets.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the classic pcap format (microsecond timestamps, little-endian as tcpdump writes it on x86
 * and arm64): the 24-byte file header, then a 16-byte header before each packet. Does not close or
 * buffer the stream; wrap it in a BufferedOutputStream. Not thread-safe.
 */
public final class PcapWriter {
  static final int MAGIC_MICROS = 0xa1b2c3d4;

  private final OutputStream out;
  // Each record's header, reused: a capture writes one per packet.
  private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);

  /** Writes the file header at once. */
  public PcapWriter(OutputStream out, int linkType, int snapLength) throws IOException {
    this.out = out;
    ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4);
    header.putInt(0).putInt(0).putInt(snapLength).putInt(linkType);
    out.write(header.array());
  }

  public void write(CapturedPacket packet) throws IOException {
    header.clear();
    header.putInt((int) packet.time().getEpochSecond());
    header.putInt(packet.time().getNano() / 1000);
    header.putInt(packet.data().length).putInt(packet.wireLength());
    out.write(header.array());
    out.write(packet.data());
  }
}
