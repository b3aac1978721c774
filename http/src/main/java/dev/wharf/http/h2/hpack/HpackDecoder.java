package dev.wharf.http.h2.hpack;

import dev.wharf.http.h2.hpack.HpackException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the header blocks one peer sends on one HTTP/2 connection (RFC 7541 §3), keeping the
 * dynamic table they share. One instance belongs to one connection and is called on its event loop
 * only, one complete block at a time (HEADERS or PUSH_PROMISE plus CONTINUATION fragments,
 * concatenated), in the order the blocks arrived.
 *
 * <p>Two limits guard it. The dynamic table never exceeds the SETTINGS_HEADER_TABLE_SIZE we
 * advertised ({@link #setMaxTableSize}). The decoded header list is counted as RFC 9113 §6.5.2 says
 * (name + value + 32 per field) against SETTINGS_MAX_HEADER_LIST_SIZE: once over, the sink hears
 * nothing more and the rest of the block is only parsed for what changes the dynamic table, so a
 * small block that names a large entry thousands of times costs no more than its own length (the
 * "HPACK bomb"). The block is still processed to the end, as RFC 9113 §4.3 requires, so the
 * connection may answer 431 or RST_STREAM and keep the connection.
 *
 * <p>A block that breaks HPACK throws {@link HpackException}; the decoder then refuses every later
 * block, since its table may differ from the peer's (a COMPRESSION_ERROR ends the connection).
 */
public final class HpackDecoder {
  /** What became of a block that was valid HPACK. */
  public enum Outcome {
    /** Every field went to the sink. */
    COMPLETE,
    /**
     * The header list went over the limit: the sink has a prefix of it, the dynamic table is up to
     * date. The connection refuses the stream (431, or RST_STREAM), not the connection.
     */
    HEADER_LIST_TOO_LARGE
  }

  /** A dynamic table index is made of the static table's length plus a position from the newest. */
  private static final int FIRST_DYNAMIC_INDEX = StaticTable.LENGTH + 1;

  /** RFC 7541 §5.1 allows any size; 2^31 - 1 is far past every limit we keep. */
  private static final int MAX_CONTINUATION_SHIFT = 28;

  private final DynamicTable table;
  private int maxTableSize;
  private long maxHeaderListSize;
  private boolean sizeUpdateRequired;
  private boolean failed;

  private byte[] nameOctets = new byte[64];
  private byte[] valueOctets = new byte[256];

  // The block being decoded: in[at, end).
  private ByteBuffer in;
  private int at;
  private int end;
  private long listSize;
  private boolean tooLarge;
  private boolean fieldSeen;

  /**
   * A decoder whose table may grow to {@code maxTableSize} octets (the SETTINGS_HEADER_TABLE_SIZE
   * in force: 4096 unless we advertised another and the peer acknowledged it) and which stops
   * delivering a header list past {@code maxHeaderListSize}.
   */
  public HpackDecoder(int maxTableSize, long maxHeaderListSize) {
    requireNonNegative(maxTableSize, "maxTableSize");
    requireNonNegative(maxHeaderListSize, "maxHeaderListSize");
    this.maxTableSize = maxTableSize;
    this.maxHeaderListSize = maxHeaderListSize;
    this.table = new DynamicTable(maxTableSize);
  }

  /**
   * Applies a new SETTINGS_HEADER_TABLE_SIZE of ours, once the peer has acknowledged it. When it is
   * below the table's current maximum, the peer's next block must begin with a size update that
   * brings the table within it (RFC 7541 §4.2).
   */
  public void setMaxTableSize(int maxTableSize) {
    requireNonNegative(maxTableSize, "maxTableSize");
    if (maxTableSize < table.capacity()) {
      sizeUpdateRequired = true;
    }
    this.maxTableSize = maxTableSize;
  }

  /** Applies a new SETTINGS_MAX_HEADER_LIST_SIZE of ours, from the next block on. */
  public void setMaxHeaderListSize(long maxHeaderListSize) {
    requireNonNegative(maxHeaderListSize, "maxHeaderListSize");
    this.maxHeaderListSize = maxHeaderListSize;
  }

  /**
   * Decodes one complete header block, from its position to its limit, handing each field to {@code
   * sink} in order; the block's position ends at its limit.
   *
   * @throws HpackException if the block is not valid HPACK (a COMPRESSION_ERROR)
   * @throws IllegalStateException if an earlier block failed
   */
  public Outcome decode(ByteBuffer block, HeaderSink sink) {
    if (failed) {
      throw new IllegalStateException("an earlier header block failed; the connection must close");
    }
    boolean done = false;
    try {
      decodeBlock(block, sink);
      block.position(block.limit());
      done = true;
      return tooLarge ? Outcome.HEADER_LIST_TOO_LARGE : Outcome.COMPLETE;
    } finally {
      in = null;
      failed = !done;
    }
  }

  /** The dynamic table's entries, newest first (for tests and diagnostics). */
  DynamicTable table() {
    return table;
  }

  private void decodeBlock(ByteBuffer block, HeaderSink sink) {
    in = block;
    at = block.position();
    end = block.limit();
    listSize = 0;
    tooLarge = false;
    fieldSeen = false;
    if (sizeUpdateRequired && (at == end || (in.get(at) & 0xE0) != 0x20)) {
      // RFC 7541 §4.2: after the limit went down, the next block begins with a size update.
      throw new HpackException(
          Reason.SIZE_UPDATE_MISSING,
          "header block does not begin with a dynamic table size update to at most "
              + maxTableSize);
    }
    while (at < end) {
      int first = in.get(at) & 0xFF;
      if ((first & 0x80) != 0) {
        indexedField(sink); // §6.1: 1xxxxxxx
      } else if ((first & 0x40) != 0) {
        literalField(6, true, sink); // §6.2.1: 01xxxxxx
      } else if ((first & 0x20) != 0) {
        sizeUpdate(); // §6.3: 001xxxxx
      } else {
        literalField(4, false, sink); // §6.2.2 0000xxxx, §6.2.3 0001xxxx (never indexed)
      }
    }
  }

  private void indexedField(HeaderSink sink) {
    int index = readInteger(7);
    if (index == 0) {
      // RFC 7541 §6.1: index 0 is a decoding error.
      throw new HpackException(Reason.INDEX_OUT_OF_RANGE, "indexed field with index 0");
    }
    String name = nameAt(index);
    String value = valueAt(index);
    fieldSeen = true;
    if (withinList(name.length(), value.length())) {
      sink.field(name, value);
    }
  }

  private void literalField(int prefixBits, boolean addToTable, HeaderSink sink) {
    int nameIndex = readInteger(prefixBits);
    String name = nameIndex == 0 ? null : nameAt(nameIndex);
    fieldSeen = true;
    if (tooLarge && !addToTable) {
      // Past the list limit, a field that leaves the table alone is parsed over, not decoded.
      if (name == null) {
        skipString();
      }
      skipString();
      return;
    }
    // The most octets of name and value worth decoding: what the list has left or, for a field
    // the table keeps, the table's capacity. A longer string is parsed over, never decoded.
    long room =
        Math.max(
            tooLarge ? -1 : maxHeaderListSize - listSize - DynamicTable.ENTRY_OVERHEAD,
            addToTable ? table.capacity() - DynamicTable.ENTRY_OVERHEAD : -1);
    int nameLength = name == null ? readString(true, room) : name.length();
    int valueLength;
    if (nameLength < 0) {
      skipString();
      valueLength = -1;
    } else {
      valueLength = readString(false, room - nameLength);
    }
    if (valueLength < 0) {
      // Too long for the list and for the table: the list is over, and an entry too large for
      // the table empties it (§4.4).
      tooLarge = true;
      if (addToTable) {
        table.clear();
      }
      return;
    }
    boolean deliver = withinList(nameLength, valueLength);
    if (!deliver && addToTable && nameLength + valueLength + 32L > table.capacity()) {
      table.clear(); // what adding it would do (§4.4), without building its strings
      return;
    }
    if (deliver || addToTable) {
      if (name == null) {
        name = latin1(nameOctets, nameLength);
      }
      String value = latin1(valueOctets, valueLength);
      if (addToTable) {
        table.add(name, value); // §6.2.1
      }
      if (deliver) {
        sink.field(name, value);
      }
    }
  }

  private void sizeUpdate() {
    if (fieldSeen) {
      // RFC 7541 §4.2: a size update comes at the beginning of a block, before any field.
      throw new HpackException(
          Reason.SIZE_UPDATE_MISPLACED, "dynamic table size update after a header field");
    }
    int size = readInteger(5);
    if (size > maxTableSize) {
      // RFC 7541 §6.3: the new maximum must not exceed the limit we set.
      throw new HpackException(
          Reason.SIZE_UPDATE_TOO_LARGE,
          "dynamic table size update to " + size + " exceeds the limit " + maxTableSize);
    }
    table.setCapacity(size);
    sizeUpdateRequired = false;
  }

  /** Counts a field against the list limit (RFC 9113 §6.5.2); false once the list is over it. */
  private boolean withinList(int nameLength, int valueLength) {
    if (tooLarge) {
      return false;
    }
    listSize += nameLength + valueLength + 32L;
    tooLarge = listSize > maxHeaderListSize;
    return !tooLarge;
  }

  private String nameAt(int index) {
    return index < FIRST_DYNAMIC_INDEX
        ? StaticTable.name(index)
        : table.name(dynamicPosition(index));
  }

  private String valueAt(int index) {
    return index < FIRST_DYNAMIC_INDEX
        ? StaticTable.value(index)
        : table.value(dynamicPosition(index));
  }

  private int dynamicPosition(int index) {
    int position = index - FIRST_DYNAMIC_INDEX;
    if (position >= table.length()) {
      // RFC 7541 §2.3.3: an index past both tables is a decoding error.
      throw new HpackException(
          Reason.INDEX_OUT_OF_RANGE,
          "index "
              + index
              + " is past the tables (61 static, "
              + table.length()
              + " dynamic entries)");
    }
    return position;
  }

  /** RFC 7541 §5.1: an integer in the low {@code prefixBits} bits and continuation octets. */
  private int readInteger(int prefixBits) {
    int max = (1 << prefixBits) - 1;
    int value = in.get(at++) & max;
    if (value < max) {
      return value;
    }
    long total = value;
    for (int shift = 0; ; shift += 7) {
      if (at == end) {
        throw truncated("an integer");
      }
      if (shift > MAX_CONTINUATION_SHIFT) {
        throw new HpackException(Reason.INTEGER_OVERFLOW, "integer takes more than 5 octets");
      }
      int octet = in.get(at++) & 0xFF;
      total += (long) (octet & 0x7F) << shift;
      if (total > Integer.MAX_VALUE) {
        throw new HpackException(Reason.INTEGER_OVERFLOW, "integer exceeds 2^31 - 1");
      }
      if ((octet & 0x80) == 0) {
        return (int) total;
      }
    }
  }

  /**
   * RFC 7541 §5.2: reads a string literal's octets into the name or value scratch and returns its
   * length; or, when it must decode to more than {@code room} octets, parses over it and returns
   * -1.
   */
  private int readString(boolean intoName, long room) {
    if (at == end) {
      throw truncated("a string literal");
    }
    boolean huffman = (in.get(at) & 0x80) != 0;
    int length = readInteger(7);
    if (length > end - at) {
      throw truncated("a string literal of " + length + " octets (" + (end - at) + " left)");
    }
    // No Huffman code is longer than 30 bits or shorter than 5: n octets decode to at least
    // 8n/30 octets and at most 8n/5.
    long fewest = huffman ? length * 8L / 30 : length;
    if (fewest > room) {
      at += length;
      return -1;
    }
    int most = huffman ? (int) (length * 8L / 5 + 1) : length;
    byte[] out = intoName ? nameOctets : valueOctets;
    if (out.length < most) {
      out = new byte[Math.max(most, out.length * 2)];
      if (intoName) {
        nameOctets = out;
      } else {
        valueOctets = out;
      }
    }
    int decoded;
    if (huffman) {
      decoded = Huffman.decode(in, at, length, out);
    } else {
      in.get(at, out, 0, length);
      decoded = length;
    }
    at += length;
    return decoded;
  }

  private void skipString() {
    if (at == end) {
      throw truncated("a string literal");
    }
    int length = readInteger(7);
    if (length > end - at) {
      throw truncated("a string literal of " + length + " octets (" + (end - at) + " left)");
    }
    at += length;
  }

  private static String latin1(byte[] octets, int length) {
    return length == 0 ? "" : new String(octets, 0, length, StandardCharsets.ISO_8859_1);
  }

  private static HpackException truncated(String what) {
    return new HpackException(Reason.TRUNCATED, "header block ends inside " + what);
  }

  private static void requireNonNegative(long value, String what) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must not be negative: " + value);
    }
  }
}
