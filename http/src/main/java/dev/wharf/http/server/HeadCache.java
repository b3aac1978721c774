package dev.wharf.http.server;

import dev.wharf.http.Headers;
import dev.wharf.http.codec.Http1ResponseEncoder;

/**
 * The last small response head encoded on this event loop, kept whole: a plaintext or small JSON
 * server answers every request with the same status, one Content-Type, the same length and the
 * current second's Date and Server lines, so the next such head is the same bytes and is copied,
 * not encoded and checked again. Remade when any of them changes, the Date once a second.
 *
 * <p>Only on an event loop's thread (one per loop, in a thread local), and only for a head whose
 * caller sets a single field: the connection copies the head into its write queue at once, so one
 * array serves every connection on the loop, as {@link HeadScratch} does. Bytes past the head are
 * not the cache's: a small body may be put there, to go out in the same write.
 */
final class HeadCache {
  /** Heads larger than this are encoded as usual. */
  private static final int SIZE = 512;

  private static final ThreadLocal<HeadCache> LOOP = ThreadLocal.withInitial(HeadCache::new);

  private final byte[] head = new byte[SIZE];
  private int length;

  // The head in `head` was made of these. The field's name and value are compared by reference:
  // the same String objects (a handler's constants) passed the encoder's checks last time, and
  // Strings do not change. `common` is CommonFieldLines' array for the second, new each second.
  private int status = -1;
  private String name;
  private String value;
  private byte[] common;
  private long contentLength;

  private HeadCache() {}

  /** This loop's cache. Call on an event loop only. */
  static HeadCache onLoop() {
    return LOOP.get();
  }

  /**
   * The length of the head for these in {@link #bytes()}, encoded now unless it is the last one
   * again; -1 when the head is not one this cache keeps (more or fewer than one field, too long).
   */
  int head(int status, Headers.Builder headers, byte[] common, long contentLength) {
    if (headers.size() != 1) {
      return -1;
    }
    String name = headers.name(0);
    String value = headers.value(0);
    if (status == this.status
        && name == this.name
        && value == this.value
        && common == this.common
        && contentLength == this.contentLength) {
      return length;
    }
    int size = Http1ResponseEncoder.headLength(status, headers, common, contentLength);
    if (size > SIZE) {
      return -1;
    }
    this.status = -1; // Until the encoder has checked and written it.
    length = Http1ResponseEncoder.encodeHead(status, headers, common, contentLength, head);
    this.status = status;
    this.name = name;
    this.value = value;
    this.common = common;
    this.contentLength = contentLength;
    return length;
  }

  byte[] bytes() {
    return head;
  }
}
