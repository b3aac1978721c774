package dev.wharf.http.h2.hpack;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

/**
 * Encodes the header blocks we send on one HTTP/2 connection (RFC 7541 §3), keeping the dynamic
 * table the peer's decoder mirrors. One instance belongs to one connection and is called on its
 * event loop only; blocks must go out in the order they were encoded.
 *
 * <p>A block is built in a buffer the encoder reuses: {@link #beginBlock}, then {@link #field} for
 * each field, then {@link #endBlock}, whose buffer is valid until the next {@code beginBlock}.
 *
 * <p>Policy: an exact match in either table is sent as an index (§6.1); a field is otherwise added
 * to the table when it takes at most three quarters of it and its value tends to repeat;
 * credentials and short cookies are never indexed (§7.1.3), so an intermediary will not index them
 * either; a string is Huffman-coded when that is shorter (§5.2). The table uses at most the smaller
 * of our own cap and the peer's SETTINGS_HEADER_TABLE_SIZE, and every change of that size is
 * announced at the start of the next block (§4.2).
 */
public final class HpackEncoder {
  /** RFC 9113 §6.5.2: the initial SETTINGS_HEADER_TABLE_SIZE. */
  public static final int DEFAULT_TABLE_SIZE = 4096;

  private static final int FIRST_DYNAMIC_INDEX = StaticTable.LENGTH + 1;

  /** RFC 7541 §7.1.3: a cookie value this short could be guessed if it were indexed. */
  private static final int SHORT_COOKIE = 20;

  /** Fields whose values seldom repeat: indexing them would only push useful entries out. */
  private static final Set<String> NOT_INDEXED =
      Set.of(
          "content-length",
          "content-range",
          "etag",
          "if-modified-since",
          "if-none-match",
          "if-range",
          "last-modified",
          "location",
          "age");

  private final int ownLimit;
  private final DynamicTable table;
  private int smallestSinceLastBlock = -1;
  private byte[] out = new byte[256];
  private int length;

  /** An encoder whose table never exceeds {@code ownLimit} octets, nor the peer's limit. */
  public HpackEncoder(int ownLimit) {
    if (ownLimit < 0) {
      throw new IllegalArgumentException("ownLimit must not be negative: " + ownLimit);
    }
    this.ownLimit = ownLimit;
    int capacity = Math.min(ownLimit, DEFAULT_TABLE_SIZE);
    this.table = new DynamicTable(capacity);
    if (capacity != DEFAULT_TABLE_SIZE) {
      smallestSinceLastBlock = capacity; // tell the peer, whose table starts at 4096
    }
  }

  /**
   * Applies the peer's SETTINGS_HEADER_TABLE_SIZE (call it when the SETTINGS frame arrives, before
   * encoding the next block): the table shrinks at once if it must, and the next block begins with
   * the size update(s) that tell the peer (RFC 7541 §4.2).
   */
  public void setPeerMaxTableSize(long peerLimit) {
    if (peerLimit < 0) {
      throw new IllegalArgumentException("peer limit must not be negative: " + peerLimit);
    }
    int capacity = (int) Math.min(ownLimit, peerLimit);
    if (capacity == table.capacity()) {
      return;
    }
    table.setCapacity(capacity);
    // RFC 7541 §4.2: if the size changes more than once between blocks, the smallest is signalled.
    smallestSinceLastBlock =
        smallestSinceLastBlock < 0 ? capacity : Math.min(smallestSinceLastBlock, capacity);
  }

  /** Starts a block, with the size updates the peer has yet to hear; forgets the last block. */
  public void beginBlock() {
    length = 0;
    if (smallestSinceLastBlock >= 0) {
      // RFC 7541 §4.2: the smallest size since the last block, then the final one.
      if (smallestSinceLastBlock < table.capacity()) {
        writeInteger(0x20, 5, smallestSinceLastBlock);
      }
      writeInteger(0x20, 5, table.capacity());
      smallestSinceLastBlock = -1;
    }
  }

  /**
   * Adds a field to the block, choosing its representation by the policy above. Names must be as
   * HTTP/2 sends them (lowercase); every char of the name and value must be an octet.
   */
  public void field(String name, String value) {
    if (isSensitive(name, value)) {
      sensitiveField(name, value);
      return;
    }
    // One look-up of the name in the static table gives both its first index and, among the
    // entries of that name that follow it, an exact match (twice per field was ~5% of a profile).
    int nameIndex = StaticTable.indexOfName(name);
    int exact = nameIndex == 0 ? 0 : StaticTable.indexOfValue(nameIndex, value);
    if (exact != 0) {
      nameIndex = exact;
    }
    for (int i = 0; exact == 0 && i < table.length(); i++) {
      if (table.name(i).equals(name)) {
        if (table.value(i).equals(value)) {
          exact = FIRST_DYNAMIC_INDEX + i;
        } else if (nameIndex == 0) {
          nameIndex = FIRST_DYNAMIC_INDEX + i;
        }
      }
    }
    if (exact != 0) {
      writeInteger(0x80, 7, exact); // §6.1
    } else if (shouldIndex(name, value)) {
      writeLiteral(0x40, 6, nameIndex, name, value); // §6.2.1
      table.add(name, value);
    } else {
      writeLiteral(0x00, 4, nameIndex, name, value); // §6.2.2
    }
  }

  /** Adds a field that must never be indexed, here or by any intermediary (RFC 7541 §6.2.3). */
  public void sensitiveField(String name, String value) {
    writeLiteral(0x10, 4, StaticTable.indexOfName(name), name, value);
  }

  /** The block built since {@link #beginBlock}; valid until the next {@code beginBlock}. */
  public ByteBuffer endBlock() {
    return ByteBuffer.wrap(out, 0, length);
  }

  /** Encodes a whole header list as one block, into a new array. */
  public byte[] encode(List<HeaderField> fields) {
    beginBlock();
    for (HeaderField field : fields) {
      field(field.name(), field.value());
    }
    var block = new byte[length];
    System.arraycopy(out, 0, block, 0, length);
    return block;
  }

  /** The dynamic table's entries, newest first (for tests and diagnostics). */
  DynamicTable table() {
    return table;
  }

  private static boolean isSensitive(String name, String value) {
    return switch (name) {
      case "authorization", "proxy-authorization", "set-cookie" -> true;
      case "cookie" -> value.length() < SHORT_COOKIE;
      default -> false;
    };
  }

  private boolean shouldIndex(String name, String value) {
    return DynamicTable.entrySize(name, value) <= table.capacity() * 3L / 4
        && !NOT_INDEXED.contains(name);
  }

  private void writeLiteral(int pattern, int prefixBits, int nameIndex, String name, String value) {
    writeInteger(pattern, prefixBits, nameIndex);
    if (nameIndex == 0) {
      writeString(name);
    }
    writeString(value);
  }

  /** RFC 7541 §5.2: Huffman-coded when strictly shorter, else the octets as they are. */
  private void writeString(String s) {
    int huffmanLength = Huffman.encodedLength(s);
    if (huffmanLength < s.length()) {
      writeInteger(0x80, 7, huffmanLength);
      ensureRoom(huffmanLength);
      length = Huffman.encode(s, out, length);
    } else {
      writeInteger(0x00, 7, s.length());
      ensureRoom(s.length());
      for (int i = 0; i < s.length(); i++) {
        out[length++] = (byte) s.charAt(i); // every char is an octet: encodedLength checked
      }
    }
  }

  /** RFC 7541 §5.1: {@code value} in the low {@code prefixBits} bits of a first octet. */
  private void writeInteger(int pattern, int prefixBits, int value) {
    ensureRoom(6);
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out[length++] = (byte) (pattern | value);
      return;
    }
    out[length++] = (byte) (pattern | max);
    int rest = value - max;
    while (rest >= 0x80) {
      out[length++] = (byte) ((rest & 0x7F) | 0x80);
      rest >>>= 7;
    }
    out[length++] = (byte) rest;
  }

  private void ensureRoom(int n) {
    if (out.length - length < n) {
      var bigger = new byte[Math.max(out.length * 2, length + n)];
      System.arraycopy(out, 0, bigger, 0, length);
      out = bigger;
    }
  }
}
