package dev.wharf.packets.pcap;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads pcap (either byte order, micro- or nanosecond timestamps) and pcapng files (sections of
 * either byte order; interface description blocks with their link type, snap length, {@code
 * if_tsresol} and {@code if_tsoffset}; enhanced, simple and obsolete packet blocks; others
 * skipped), as tcpdump, dumpcap and tshark write them. Each packet says which interface it came
 * from ({@link CapturedPacket#interfaceId()}): a pcapng file may hold interfaces of several link
 * types, which libpcap (and so tcpdump) refuses to read. A file that is neither, or a block that
 * cannot be (a record longer than {@link #MAX_RECORD}, a packet of an interface never described),
 * is an {@link IOException} saying so; a file cut in the middle of a record ends there. Not
 * thread-safe.
 */
public final class CaptureFileReader {
  /** The longest record read: 256 KiB, tcpdump's largest snap length. */
  public static final int MAX_RECORD = 262_144;

  private static final int PCAPNG_SECTION = 0x0a0d0d0a;
  private static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

  // pcapng block types and options (draft-ietf-opsawg-pcapng §4, §4.2).
  private static final int INTERFACE_DESCRIPTION = 1;
  private static final int PACKET_OBSOLETE = 2;
  private static final int SIMPLE_PACKET = 3;
  private static final int ENHANCED_PACKET = 6;
  private static final int OPTION_END = 0;
  private static final int OPTION_IF_NAME = 2;
  private static final int OPTION_IF_TSRESOL = 9;
  private static final int OPTION_IF_TSOFFSET = 14;

  private final DataInputStream in;
  private final boolean pcapng;
  private ByteOrder order;

  /** Every interface met so far: pcap's one; pcapng's, in the order of their blocks. */
  private final List<CaptureInterface> interfaces = new ArrayList<>();

  /** Where the interfaces of the current pcapng section start in {@link #interfaces}. */
  private int sectionStart;

  public CaptureFileReader(InputStream in) throws IOException {
    this.in = new DataInputStream(in);
    try {
      this.pcapng = readFileHeader();
    } catch (EOFException e) {
      // readFully's EOFException says nothing; say what tcpdump says of such a file.
      throw new IOException("truncated capture file: it ends inside its file header");
    }
  }

  /** Reads pcap's file header, or pcapng's blocks up to its first interface's: true for pcapng. */
  private boolean readFileHeader() throws IOException {
    byte[] magic = new byte[4];
    this.in.readFully(magic);
    int big = ByteBuffer.wrap(magic).getInt();
    int little = ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (big == PCAPNG_SECTION) {
      section();
      // The first interface block says the link type: read it now, for linkType() before the
      // first packet. A packet before it is malformed (it can name no interface).
      try {
        nextBlock(true);
      } catch (EOFException e) {
        // A section with no interface: no packets either.
      }
      return true;
    }
    boolean nanos;
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
    int snapLength = rest.getInt(12);
    int linkType = rest.getInt(16) & 0x0fffffff; // the high bits say FCS lengths, not the type
    interfaces.add(
        new CaptureInterface(linkType, snapLength, nanos ? 1_000_000_000 : 1_000_000, 0, ""));
    return false;
  }

  /** True for a pcapng file, false for pcap. */
  public boolean isPcapng() {
    return pcapng;
  }

  /** The link type of the first interface (pcap: of the file; 1 for a pcapng file with none). */
  public int linkType() {
    return interfaces.isEmpty() ? 1 : interfaces.getFirst().linkType();
  }

  /**
   * The interfaces described so far, indexed by {@link CapturedPacket#interfaceId()}: pcap's one,
   * or pcapng's, which may come between packets (those of a packet just read are among them).
   */
  public List<CaptureInterface> interfaces() {
    return List.copyOf(interfaces);
  }

  /** The interface {@code packet}, read from this file, was captured on. */
  public CaptureInterface interfaceOf(CapturedPacket packet) {
    return interfaces.get(packet.interfaceId());
  }

  /** The next packet, or empty at the end of the file. */
  public Optional<CapturedPacket> next() throws IOException {
    try {
      return pcapng ? nextBlock(false) : nextRecord();
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
    CaptureInterface only = interfaces.getFirst();
    long ticks = seconds * only.ticksPerSecond() + fraction;
    return Optional.of(new CapturedPacket(only.time(ticks), data, wire, 0));
  }

  /**
   * The section header block after its type: its byte-order magic, then the rest skipped. Its
   * interfaces are new ones: a packet's interface number counts from the section's first.
   */
  private void section() throws IOException {
    byte[] lengthAndMagic = new byte[8];
    in.readFully(lengthAndMagic);
    int magic = ByteBuffer.wrap(lengthAndMagic, 4, 4).getInt();
    if (magic == PCAPNG_BYTE_ORDER) {
      order = ByteOrder.BIG_ENDIAN;
    } else if (Integer.reverseBytes(magic) == PCAPNG_BYTE_ORDER) {
      order = ByteOrder.LITTLE_ENDIAN;
    } else {
      throw new IOException(
          "malformed pcapng: a section's byte-order magic is " + Integer.toHexString(magic));
    }
    int length = ByteBuffer.wrap(lengthAndMagic, 0, 4).order(order).getInt();
    checkBlock(length, 28);
    in.readFully(new byte[length - 12]);
    sectionStart = interfaces.size();
  }

  /**
   * Reads blocks up to the next packet's (empty at an interface's block if {@code untilInterface}).
   */
  private Optional<CapturedPacket> nextBlock(boolean untilInterface) throws IOException {
    while (true) {
      byte[] head = new byte[4];
      in.readFully(head);
      if (ByteBuffer.wrap(head).getInt() == PCAPNG_SECTION) {
        section();
        continue;
      }
      int type = ByteBuffer.wrap(head).order(order).getInt();
      int length = read(4).getInt(0);
      checkBlock(length, 12);
      ByteBuffer body = read(length - 12);
      read(4); // The trailing copy of the length.
      switch (type) {
        case INTERFACE_DESCRIPTION -> {
          interfaces.add(interfaceDescription(body));
          if (untilInterface) {
            return Optional.empty();
          }
        }
        case ENHANCED_PACKET -> {
          // Interface, timestamp (high, low), captured, original length, data.
          return Optional.of(packet(body, body.remaining() >= 4 ? body.getInt(0) : 0, 4));
        }
        case PACKET_OBSOLETE -> {
          // The same, but a 16-bit interface and a 16-bit drop count in the first word.
          return Optional.of(
              packet(body, body.remaining() >= 2 ? body.getShort(0) & 0xffff : 0, 4));
        }
        case SIMPLE_PACKET -> {
          return Optional.of(simplePacket(body));
        }
        default -> {
          // Statistics, name resolution, custom blocks: nothing a packet needs.
        }
      }
    }
  }

  /** An enhanced (or obsolete) packet block's packet: its fields start at {@code at}. */
  private CapturedPacket packet(ByteBuffer body, int interfaceNumber, int at) throws IOException {
    if (body.remaining() < at + 16) {
      throw new IOException(
          "malformed pcapng: a packet block of " + (body.remaining() + 12) + " bytes");
    }
    int id = interfaceOfSection(interfaceNumber);
    long ticks = ((body.getInt(at) & 0xffffffffL) << 32) | (body.getInt(at + 4) & 0xffffffffL);
    int captured = body.getInt(at + 8);
    if (captured < 0 || captured > body.remaining() - at - 16) {
      throw new IOException(
          "malformed pcapng: a packet of "
              + (captured & 0xffffffffL)
              + " bytes"
              + " in a block of "
              + (body.remaining() + 12));
    }
    byte[] data = new byte[captured];
    body.get(at + 16, data);
    return new CapturedPacket(interfaces.get(id).time(ticks), data, body.getInt(at + 12), id);
  }

  /**
   * A simple packet block's packet: of the section's first interface, no timestamp (libpcap gives
   * it 0, the epoch), as many bytes as were on the wire up to that interface's snap length.
   */
  private CapturedPacket simplePacket(ByteBuffer body) throws IOException {
    if (body.remaining() < 4) {
      throw new IOException(
          "malformed pcapng: a simple packet block of " + (body.remaining() + 12) + " bytes");
    }
    int id = interfaceOfSection(0);
    int wire = body.getInt(0);
    int snap = interfaces.get(id).snapLength();
    // The block's data is padded to 4 bytes: the wire length, cut to the snap length, says where
    // the packet ends (pcapng §4.4).
    int captured = (int) Math.min(Integer.toUnsignedLong(wire), body.remaining() - 4);
    if (snap > 0) {
      captured = Math.min(captured, snap);
    }
    byte[] data = new byte[captured];
    body.get(4, data);
    return new CapturedPacket(Instant.EPOCH, data, wire, id);
  }

  /** The index in {@link #interfaces} of the current section's interface {@code number}. */
  private int interfaceOfSection(int number) throws IOException {
    int described = interfaces.size() - sectionStart;
    if (number < 0 || number >= described) {
      throw new IOException(
          "malformed pcapng: a packet of interface "
              + Integer.toUnsignedString(number)
              + ", but its section describes "
              + described);
    }
    return sectionStart + number;
  }

  /** An interface description block: link type, reserved, snap length, then options. */
  private static CaptureInterface interfaceDescription(ByteBuffer body) throws IOException {
    if (body.remaining() < 8) {
      throw new IOException(
          "malformed pcapng: an interface block of " + (body.remaining() + 12) + " bytes");
    }
    int linkType = body.getShort(0) & 0xffff;
    int snapLength = body.getInt(4);
    long perSecond = 1_000_000; // pcapng §4.2: microseconds where if_tsresol is absent
    long offset = 0;
    String name = "";
    int at = 8;
    while (at + 4 <= body.limit()) {
      int code = body.getShort(at) & 0xffff;
      int length = body.getShort(at + 2) & 0xffff;
      if (code == OPTION_END || at + 4 + length > body.limit()) {
        break;
      }
      switch (code) {
        case OPTION_IF_TSRESOL -> {
          if (length >= 1) {
            perSecond = ticksPerSecond(body.get(at + 4) & 0xff);
          }
        }
        case OPTION_IF_TSOFFSET -> {
          if (length >= 8) {
            offset = body.getLong(at + 4);
          }
        }
        case OPTION_IF_NAME -> {
          byte[] bytes = new byte[length];
          body.get(at + 4, bytes);
          name = new String(bytes, StandardCharsets.UTF_8).replace("\0", "");
        }
        default -> {
          // if_description, if_MACaddr, if_filter, if_os...: not needed to read a packet.
        }
      }
      at += 4 + ((length + 3) & ~3);
    }
    return new CaptureInterface(linkType, snapLength, perSecond, offset, name);
  }

  /** if_tsresol: the high bit says a negative power of two, else of ten (pcapng §4.2). */
  private static long ticksPerSecond(int resolution) throws IOException {
    int exponent = resolution & 0x7f;
    boolean binary = (resolution & 0x80) != 0;
    if (binary ? exponent > 62 : exponent > 18) {
      throw new IOException(
          "malformed pcapng: if_tsresol "
              + (binary ? "2" : "10")
              + "^-"
              + exponent
              + " is finer than this reader can count");
    }
    long perSecond = 1;
    for (int i = 0; i < exponent; i++) {
      perSecond = binary ? perSecond * 2 : perSecond * 10;
    }
    return perSecond;
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
