package dev.wharf.http.h2.hpack;

import java.util.Arrays;

/**
 * The dynamic table of RFC 7541 §2.3.2 and §4: a FIFO of fields, newest first, whose size (the sum
 * of each entry's name and value octets plus 32, §4.1) never exceeds its capacity. One belongs to
 * one {@link HpackDecoder} or {@link HpackEncoder}, on that connection's event loop.
 *
 * <p>Names and values are ISO-8859-1 strings, one char per octet, so a string's length is its octet
 * count.
 */
final class DynamicTable {
  /** RFC 7541 §4.1: the overhead counted for each entry. */
  static final int ENTRY_OVERHEAD = 32;

  // A ring: the oldest entry at 'oldest', the newest 'count - 1' slots after it.
  private String[] names = new String[16];
  private String[] values = new String[16];
  private int oldest;
  private int count;
  private long size;
  private int capacity;

  DynamicTable(int capacity) {
    this.capacity = capacity;
  }

  /** RFC 7541 §4.1: name octets + value octets + 32. */
  static long entrySize(String name, String value) {
    return (long) name.length() + value.length() + ENTRY_OVERHEAD;
  }

  /** The number of entries. */
  int length() {
    return count;
  }

  /** The sum of the entries' sizes (§4.1). */
  long size() {
    return size;
  }

  /** The maximum size (§4.2), the last size update applied. */
  int capacity() {
    return capacity;
  }

  /** The name of the entry {@code i} places from the newest (0 is the newest). */
  String name(int i) {
    return names[slot(i)];
  }

  /** The value of the entry {@code i} places from the newest (0 is the newest). */
  String value(int i) {
    return values[slot(i)];
  }

  private int slot(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException(i);
    }
    return (oldest + count - 1 - i) & (names.length - 1);
  }

  /**
   * Adds a field as the newest entry, evicting the oldest ones to make room (§4.4); a field larger
   * than the capacity empties the table and is not added.
   */
  void add(String name, String value) {
    long entry = entrySize(name, value);
    if (entry > capacity) {
      // RFC 7541 §4.4: not an error; the table is left empty.
      evictDownTo(0);
      return;
    }
    evictDownTo(capacity - entry);
    if (count == names.length) {
      grow();
    }
    int slot = (oldest + count) & (names.length - 1);
    names[slot] = name;
    values[slot] = value;
    count++;
    size += entry;
  }

  /** Empties the table, as adding an entry larger than the capacity would (§4.4). */
  void clear() {
    evictDownTo(0);
  }

  /** Applies a new maximum size, evicting until the entries fit (§4.3). */
  void setCapacity(int capacity) {
    this.capacity = capacity;
    evictDownTo(capacity);
  }

  private void evictDownTo(long target) {
    while (size > target) {
      int slot = oldest;
      size -= entrySize(names[slot], values[slot]);
      names[slot] = null;
      values[slot] = null;
      oldest = (oldest + 1) & (names.length - 1);
      count--;
    }
  }

  private void grow() {
    // The ring holds at most capacity / 32 entries, so it stops growing on its own.
    String[] newNames = new String[names.length * 2];
    String[] newValues = new String[names.length * 2];
    for (int i = 0; i < count; i++) {
      int from = (oldest + i) & (names.length - 1);
      newNames[i] = names[from];
      newValues[i] = values[from];
    }
    names = newNames;
    values = newValues;
    oldest = 0;
  }

  @Override
  public String toString() {
    var entries = new String[count];
    for (int i = 0; i < count; i++) {
      entries[i] =
          "["
              + (i + 1)
              + "] (s = "
              + entrySize(name(i), value(i))
              + ") "
              + name(i)
              + ": "
              + value(i);
    }
    return Arrays.toString(entries) + " size " + size + "/" + capacity;
  }
}
