package dev.wharf.packets.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes a capture file, classic pcap (microsecond timestamps) or pcapng (one section, one
 * interface with nanosecond timestamps, enhanced packet blocks), little-endian as tcpdump writes
 * them on x86 and arm64. Records are put together in a direct buffer (one copy of each frame,
 * memory to memory) and written with one {@code write} when it fills or on {@link #flush}: a
 * capture's frames go from the ring to the file without a Java object or a system call per packet.
 * Closes the channel on {@link #close}. Not thread-safe.
 */
public final class CaptureFileWriter implements FrameConsumer, AutoCloseable {
  /** The file format: pcap (tcpdump's default) or pcapng (its {@code --pcapng}, Wireshark's). */
  public enum Format {
    PCAP,
    PCAPNG
  }

  static final int PCAP_MAGIC_MICROS = 0xa1b2c3d4;
  static final int PCAPNG_SECTION = 0x0a0d0d0a;
  static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
  static final int PCAPNG_INTERFACE = 1;
  static final int PCAPNG_ENHANCED_PACKET = 6;
  private static final int OPTION_END = 0;
  private static final int OPTION_IF_NAME = 2;
  private static final int OPTION_IF_TSRESOL = 9;

  /** The most a record adds to a frame: an EPB's 28-byte head, 3 of padding, 4 of length. */
  private static final int RECORD_OVERHEAD = 36;

  private final WritableByteChannel channel;
  private final Format format;
  private final ByteBuffer buffer; // direct: written without a copy into a temporary one
  private int filled;
  private long written;

  /**
   * Writes the file's header (pcapng: its section and interface blocks) into the buffer at once.
   *
   * @param interfaceName the interface captured on, named in pcapng's interface block (null: none)
   * @param bufferBytes how much is gathered before a write; at least one largest record is
   */
  public CaptureFileWriter(
      WritableByteChannel channel,
      Format format,
      int linkType,
      int snapLength,
      String interfaceName,
      int bufferBytes) {
    this.channel = channel;
    this.format = format;
    int size = Math.max(bufferBytes, 2 * (snapLength + RECORD_OVERHEAD) + 512);
    this.buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    if (format == Format.PCAP) {
      putInt(PCAP_MAGIC_MICROS);
      putShort(2);
      putShort(4);
      putInt(0); // thiszone
      putInt(0); // sigfigs
      putInt(snapLength);
      putInt(linkType);
    } else {
      // Section header block: no options; its section length -1, unknown.
      putInt(PCAPNG_SECTION);
      putInt(28);
      putInt(PCAPNG_BYTE_ORDER);
      putShort(1);
      putShort(0);
      putInt(-1);
      putInt(-1);
      putInt(28);
      interfaceBlock(linkType, snapLength, interfaceName);
    }
  }

  /** Interface description block: link type, snap length, if_name, if_tsresol 9 (nanoseconds). */
  private void interfaceBlock(int linkType, int snapLength, String interfaceName) {
    byte[] name =
        interfaceName == null ? new byte[0] : interfaceName.getBytes(StandardCharsets.UTF_8);
    int nameOption = name.length == 0 ? 0 : 4 + pad4(name.length);
    int length = 16 + nameOption + 8 + 4 + 4;
    putInt(PCAPNG_INTERFACE);
    putInt(length);
    putShort(linkType);
    putShort(0);
    putInt(snapLength);
    if (name.length > 0) {
      putShort(OPTION_IF_NAME);
      putShort(name.length);
      buffer.put(filled, name);
      zero(filled + name.length, pad4(name.length) - name.length);
      filled += pad4(name.length);
    }
    putShort(OPTION_IF_TSRESOL);
    putShort(1);
    putInt(9); // 10^-9 s, then three bytes of padding (little-endian: 9, 0, 0, 0)
    putShort(OPTION_END);
    putShort(0);
    putInt(length);
  }

  /** Appends a record of the frame (copied now); writes the buffer first where it is full. */
  @Override
  public boolean accept(
      ByteBuffer memory, int offset, int captured, int wire, long seconds, int nanos)
      throws IOException {
    if (filled + captured + RECORD_OVERHEAD > buffer.capacity()) {
      flush();
    }
    if (format == Format.PCAP) {
      putInt((int) seconds);
      putInt(nanos / 1000);
      putInt(captured);
      putInt(wire);
    } else {
      long time = seconds * 1_000_000_000L + nanos;
      putInt(PCAPNG_ENHANCED_PACKET);
      putInt(32 + pad4(captured));
      putInt(0); // interface 0, the only one
      putInt((int) (time >>> 32));
      putInt((int) time);
      putInt(captured);
      putInt(wire);
    }
    buffer.put(filled, memory, offset, captured);
    filled += captured;
    if (format == Format.PCAPNG) {
      int padding = pad4(captured) - captured;
      zero(filled, padding);
      filled += padding;
      putInt(32 + pad4(captured));
    }
    return true;
  }

  /** Appends a packet read or made on the heap. */
  public void write(CapturedPacket packet) throws IOException {
    byte[] data = packet.data();
    accept(
        ByteBuffer.wrap(data),
        0,
        data.length,
        packet.wireLength(),
        packet.time().getEpochSecond(),
        packet.time().getNano());
  }

  /** Bytes in the file once the buffer is written: what tcpdump's -C compares with its size. */
  public long size() {
    return written + filled;
  }

  /** Writes what the buffer holds. */
  public void flush() throws IOException {
    buffer.clear().limit(filled);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
    written += filled;
    filled = 0;
  }

  /** Flushes, then closes the channel. */
  @Override
  public void close() throws IOException {
    try {
      flush();
    } finally {
      channel.close();
    }
  }

  private void putInt(int value) {
    buffer.putInt(filled, value);
    filled += 4;
  }

  private void putShort(int value) {
    buffer.putShort(filled, (short) value);
    filled += 2;
  }

  private void zero(int at, int count) {
    for (int i = 0; i < count; i++) {
      buffer.put(at + i, (byte) 0);
    }
  }

  private static int pad4(int length) {
    return (length + 3) & ~3;
  }
}
