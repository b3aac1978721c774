package dev.wharf.http.h2.server;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field names as HTTP/2 sends them, lowercase (RFC 9113 §8.2.1), remembered: a server sends the
 * same few names ("Content-Type", "ETag", "Date"...) on every response, and lowercasing each anew
 * made two objects per field and a fresh hash for every look-up that followed (HPACK's tables, the
 * connection-specific set). Thread-safe; shared by all connections.
 */
final class LowercaseNames {
  /**
   * Names remembered at most (give or take one per racing thread): a handler that makes up names
   * cannot grow the map without bound.
   */
  static final int MAX_REMEMBERED = 512;

  private static final ConcurrentHashMap<String, String> REMEMBERED = new ConcurrentHashMap<>();

  private LowercaseNames() {}

  /** {@code name} in lowercase; the same instance each time for a name seen before. */
  static String of(String name) {
    String known = REMEMBERED.get(name);
    if (known != null) {
      return known;
    }
    if (isLowercase(name)) {
      return name;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (REMEMBERED.size() < MAX_REMEMBERED) {
      REMEMBERED.putIfAbsent(name, lower);
    }
    return lower;
  }

  /** How many names are remembered (for tests). */
  static int remembered() {
    return REMEMBERED.size();
  }

  private static boolean isLowercase(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return false;
      }
    }
    return true;
  }
}
