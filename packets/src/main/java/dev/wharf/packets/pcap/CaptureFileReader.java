package dev.wharf.packets.pcap;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads pcap (either byte order, micro- or nanosecond timestamps) and pcapng (section, interface
 * and enhanced or simple packet blocks; others skipped) files, as tcpdump and Wireshark write them.
 * A file that is neither, or a record longer than {@link #MAX_RECORD}, is an {@link IOException}
 * saying so; a file cut in the middle of a record ends there. Not thread-safe.
 */
public final class CaptureFileReader {
  /** The longest record read: 256 KiB, tcpdump's largest snap length. */
  public static final int MAX_RECORD = 262_144;

  private static final int PCAPNG_SECTION = 0x0a0d0d0a;

  private final DataInputStream in;
  private boolean pcapng; // set once, by the file header
  private ByteOrder order;
  private boolean nanos;
  private int linkType;
  private boolean stopAtInterface;
  private CapturedPacket pending; // read while looking for the first interface block

  /** pcapng: each interface's link type and ticks per second, in the order of their blocks. */
  private final List<long[]> interfaces = new ArrayList<>();

  public CaptureFileReader(InputStream in) throws IOException {
    this.in = new DataInputStream(in);
    try {
      readFileHeader();
    } catch (EOFException e) {
      // readFully's EOFException says nothing; say what tcpdump says of such a file.
      throw new IOException("truncated capture file: it ends inside its file header");
    }
  }

  private void readFileHeader() throws IOException {
    byte[] magic = new byte[4];
    this.in.readFully(magic);
    int big = ByteBuffer.wrap(magic).getInt();
    int little = ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (big == PCAPNG_SECTION) {
      pcapng = true;
      section(magic);
      // The first interface block (which follows the section's at once in files tcpdump, Wireshark
      // and Wharf write) says the link type: read it now, for linkType() before the first packet.
      try {
        stopAtInterface = true;
        pending = nextBlock().orElse(null);
      } catch (EOFException e) {
        pending = null;
      } finally {
        stopAtInterface = false;
      }
      return;
    }
    pcapng = false;
    if (little == 0xa1b2c3d4 || little == 0xa1b23c4d) {
      order = ByteOrder.LITTLE_ENDIAN;
      nanos = little == 0xa1b23c4d;
    } else if (big == 0xa1b2c3d4 || big == 0xa1b23c4d) {
      order = ByteOrder.BIG_ENDIAN;
      nanos = big == 0xa1b23c4d;
    } else {
      throw new IOException("not a pcap or pcapng file (magic " + Integer.toHexString(big) + ")");
    }
    ByteBuffer rest = read(20);
    linkType = rest.getInt(16) & 0x0fffffff;
  }

  /** The link type of the first interface (pcap: of the file). */
  public int linkType() {
    return pcapng ? (interfaces.isEmpty() ? 1 : (int) interfaces.getFirst()[0]) : linkType;
  }

  /** The next packet, or empty at the end of the file. */
  public Optional<CapturedPacket> next() throws IOException {
    if (pending != null) {
      CapturedPacket packet = pending;
      pending = null;
      return Optional.of(packet);
    }
    try {
      return pcapng ? nextBlock() : nextRecord();
    } catch (EOFException e) {
      return Optional.empty();
    }
  }

  private Optional<CapturedPacket> nextRecord() throws IOException {
    ByteBuffer header = read(16);
    long seconds = header.getInt(0) & 0xffffffffL;
    long fraction = header.getInt(4) & 0xffffffffL;
    int captured = header.getInt(8);
    int wire = header.getInt(12);
    if (captured < 0 || captured > MAX_RECORD) {
      throw new IOException("malformed pcap: a record of " + (captured & 0xffffffffL) + " bytes");
    }
    byte[] data = new byte[captured];
    in.readFully(data);
    Instant time = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
    return Optional.of(new CapturedPacket(time, data, wire));
  }

  /** The section header block: its byte-order magic, then skips the rest. */
  private void section(byte[] type) throws IOException {
    byte[] lengthAndMagic = new byte[8];
    in.readFully(lengthAndMagic);
    int magic = ByteBuffer.wrap(lengthAndMagic, 4, 4).getInt();
    order = magic == 0x1a2b3c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    int length = ByteBuffer.wrap(lengthAndMagic, 0, 4).order(order).getInt();
    checkBlock(length, 28);
    in.readFully(new byte[length - 12]);
    interfaces.clear();
  }

  private Optional<CapturedPacket> nextBlock() throws IOException {
    while (true) {
      byte[] head = new byte[4];
      in.readFully(head);
      if (ByteBuffer.wrap(head).getInt() == PCAPNG_SECTION) {
        section(head);
        continue;
      }
      int type = ByteBuffer.wrap(head).order(order).getInt();
      int length = read(4).getInt(0);
      checkBlock(length, 12);
      ByteBuffer body = read(length - 12);
      read(4); // The trailing copy of the length.
      switch (type) {
        case 1 -> {
          interfaces.add(interfaceDescription(body));
          if (stopAtInterface) {
            return Optional.empty();
          }
        }
        case 6 -> {
          // Enhanced packet block: interface, timestamp (high, low), captured, original, data.
          int id = body.getInt(0);
          long ticks = ((body.getInt(4) & 0xffffffffL) << 32) | (body.getInt(8) & 0xffffffffL);
          int captured = body.getInt(12);
          if (captured < 0 || captured > body.limit() - 20) {
            throw new IOException("malformed pcapng: a packet of " + captured + " bytes");
          }
          long perSecond = id < interfaces.size() ? interfaces.get(id)[1] : 1_000_000;
          byte[] data = new byte[captured];
          body.get(20, data);
          return Optional.of(new CapturedPacket(time(ticks, perSecond), data, body.getInt(16)));
        }
        case 3 -> {
          // Simple packet block: original length, then the data, no timestamp.
          int wire = body.getInt(0);
          byte[] data = new byte[Math.min(wire, body.limit() - 4)];
          body.get(4, data);
          return Optional.of(new CapturedPacket(Instant.EPOCH, data, wire));
        }
        default -> {
          // Statistics, name resolution, custom blocks: nothing a packet needs.
        }
      }
    }
  }

  /** The link type and timestamp resolution (option if_tsresol, 9) of an interface. */
  private static long[] interfaceDescription(ByteBuffer body) {
    long linkType = body.getShort(0) & 0xffff;
    long perSecond = 1_000_000;
    int at = 8;
    while (at + 4 <= body.limit()) {
      int code = body.getShort(at) & 0xffff;
      int length = body.getShort(at + 2) & 0xffff;
      if (code == 0) {
        break;
      }
      if (code == 9 && length >= 1 && at + 4 < body.limit()) {
        int resolution = body.get(at + 4) & 0xff;
        // The high bit says a power of two; else a power of ten.
        perSecond =
            (resolution & 0x80) != 0
                ? 1L << Math.min(62, resolution & 0x7f)
                : (long) Math.pow(10, Math.min(18, resolution));
      }
      at += 4 + ((length + 3) & ~3);
    }
    return new long[] {linkType, perSecond};
  }

  private static Instant time(long ticks, long perSecond) {
    long seconds = Long.divideUnsigned(ticks, perSecond);
    long rest = Long.remainderUnsigned(ticks, perSecond);
    return Instant.ofEpochSecond(seconds, (long) (rest * (1e9 / perSecond)));
  }

  private static void checkBlock(int length, int least) throws IOException {
    if (length < least || length > MAX_RECORD + 64 || (length & 3) != 0) {
      throw new IOException("malformed pcapng: a block of " + length + " bytes");
    }
  }

  private ByteBuffer read(int count) throws IOException {
    byte[] bytes = new byte[count];
    in.readFully(bytes);
    return ByteBuffer.wrap(bytes).order(order);
  }
}
