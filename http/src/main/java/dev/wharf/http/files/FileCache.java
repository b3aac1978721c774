package dev.wharf.http.files;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What {@link StaticFiles} found out about a request path that led to a servable file, kept for a
 * short time as nginx's {@code open_file_cache} keeps it: the file's metadata (size, validators,
 * type) and, for a small file, its bytes. A hit skips the path's resolution, its links' check
 * ({@code toRealPath}: a {@code readlink} and a {@code stat} per segment), the open and the read; a
 * small file then goes out from memory with its head in one gathering write, and can be answered on
 * the event loop, since nothing on the way blocks.
 *
 * <p>Kept only for a regular file inside the served root (or allowed out of it), so the safety
 * checks an entry skips are the very ones that let it in. A change on disk is seen once the entry's
 * time to live is over: a replaced, deleted or re-linked file is looked at afresh then, as nginx
 * does with {@code open_file_cache_valid}. Bounded: at most {@code maxEntries} entries and {@code
 * maxBodyBytes} bytes of bodies; when full it is emptied and fills again with what is asked for.
 *
 * <p>Thread-safe: entries are immutable and the map concurrent.
 */
final class FileCache {

  /**
   * One request path's answer: the file's representation (its bytes in it when small enough), its
   * media type, and when (in the cache's clock, nanoseconds) it must be looked at afresh.
   */
  record Entry(Representation file, String type, long expiresAt) {
    long bodyBytes() {
      return file.inMemory() ? file.body().length : 0;
    }
  }

  private final long ttlNanos;
  private final int maxEntries;
  private final long maxBodyBytes;
  private final int maxFileBytes;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong bodyBytes = new AtomicLong();

  FileCache(StaticFiles.Caching caching, LongSupplier clock) {
    this.ttlNanos = caching.ttl().toNanos();
    this.maxEntries = caching.maxEntries();
    this.maxBodyBytes = caching.maxBodyBytes();
    this.maxFileBytes = caching.maxFileBytes();
    this.clock = clock;
  }

  /** The entry for {@code path} if there is one still fresh, else null. */
  Entry find(String path) {
    Entry entry = entries.get(path);
    if (entry == null) {
      return null;
    }
    if (clock.getAsLong() - entry.expiresAt() >= 0) {
      if (entries.remove(path, entry)) {
        bodyBytes.addAndGet(-entry.bodyBytes());
      }
      return null;
    }
    return entry;
  }

  /** The largest file whose bytes are kept. */
  long maxFileBytes() {
    return Math.min(maxFileBytes, maxBodyBytes);
  }

  /** When an entry made now must be looked at afresh. */
  long expiry() {
    return clock.getAsLong() + ttlNanos;
  }

  /** Keeps {@code entry} for {@code path}, making room by emptying the cache when it is full. */
  void put(String path, Entry entry) {
    if (entries.size() >= maxEntries || bodyBytes.get() + entry.bodyBytes() > maxBodyBytes) {
      clear();
    }
    Entry before = entries.put(path, entry);
    bodyBytes.addAndGet(entry.bodyBytes() - (before == null ? 0 : before.bodyBytes()));
  }

  /** Forgets everything, for a change made through the server itself (an upload). */
  void clear() {
    entries.clear();
    bodyBytes.set(0); // Approximate under a concurrent put; it only bounds what is kept.
  }
}
