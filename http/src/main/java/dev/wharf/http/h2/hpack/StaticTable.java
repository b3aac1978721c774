package dev.wharf.http.h2.hpack;

import java.util.HashMap;
import java.util.Map;

/**
 * The static table of RFC 7541 Appendix A: 61 fields every HPACK peer knows, at indexes 1 to 61.
 * Constant data, shared by all threads.
 */
final class StaticTable {
  static final int LENGTH = 61;

  private static final String[][] ENTRIES = {
    {":authority", ""},
    {":method", "GET"},
    {":method", "POST"},
    {":path", "/"},
    {":path", "/index.html"},
    {":scheme", "http"},
    {":scheme", "https"},
    {":status", "200"},
    {":status", "204"},
    {":status", "206"},
    {":status", "304"},
    {":status", "400"},
    {":status", "404"},
    {":status", "500"},
    {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"},
    {"accept-language", ""},
    {"accept-ranges", ""},
    {"accept", ""},
    {"access-control-allow-origin", ""},
    {"age", ""},
    {"allow", ""},
    {"authorization", ""},
    {"cache-control", ""},
    {"content-disposition", ""},
    {"content-encoding", ""},
    {"content-language", ""},
    {"content-length", ""},
    {"content-location", ""},
    {"content-range", ""},
    {"content-type", ""},
    {"cookie", ""},
    {"date", ""},
    {"etag", ""},
    {"expect", ""},
    {"expires", ""},
    {"from", ""},
    {"host", ""},
    {"if-match", ""},
    {"if-modified-since", ""},
    {"if-none-match", ""},
    {"if-range", ""},
    {"if-unmodified-since", ""},
    {"last-modified", ""},
    {"link", ""},
    {"location", ""},
    {"max-forwards", ""},
    {"proxy-authenticate", ""},
    {"proxy-authorization", ""},
    {"range", ""},
    {"referer", ""},
    {"refresh", ""},
    {"retry-after", ""},
    {"server", ""},
    {"set-cookie", ""},
    {"strict-transport-security", ""},
    {"transfer-encoding", ""},
    {"user-agent", ""},
    {"vary", ""},
    {"via", ""},
    {"www-authenticate", ""},
  };

  /** Each name's lowest index; entries of one name are adjacent, so exact matches follow it. */
  private static final Map<String, Integer> FIRST_INDEX_OF_NAME = new HashMap<>();

  static {
    if (ENTRIES.length != LENGTH) {
      throw new AssertionError("static table has " + ENTRIES.length + " entries");
    }
    for (int i = LENGTH; i >= 1; i--) {
      FIRST_INDEX_OF_NAME.put(ENTRIES[i - 1][0], i);
    }
  }

  private StaticTable() {}

  /** The name at {@code index}, 1 to {@link #LENGTH}. */
  static String name(int index) {
    return ENTRIES[index - 1][0];
  }

  /** The value at {@code index}, 1 to {@link #LENGTH}. */
  static String value(int index) {
    return ENTRIES[index - 1][1];
  }

  /** The lowest index whose name is {@code name}, or 0. */
  static int indexOfName(String name) {
    Integer index = FIRST_INDEX_OF_NAME.get(name);
    return index == null ? 0 : index;
  }

  /**
   * The index of {@code value} among the entries that share the name at {@code firstIndex} (as
   * {@link #indexOfName} gave it), or 0: the name is not looked up again.
   */
  static int indexOfValue(int firstIndex, String value) {
    String name = ENTRIES[firstIndex - 1][0];
    for (int i = firstIndex; i <= LENGTH && ENTRIES[i - 1][0].equals(name); i++) {
      if (ENTRIES[i - 1][1].equals(value)) {
        return i;
      }
    }
    return 0;
  }
}
