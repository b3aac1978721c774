package dev.wharf.http.server;

/**
 * The array a response head is encoded into before it is queued. The connection copies the head
 * into its write queue at once, so on an event loop's thread one array serves every response of
 * every connection on that loop; elsewhere (a blocking handler's virtual thread, which lives for
 * one request) a head gets an array of its own. Saves an array of 100-odd bytes per response.
 */
final class HeadScratch {
  /** Heads larger than this (many or long fields) get their own array. */
  private static final int SIZE = 1024;

  private static final ThreadLocal<byte[]> LOOP_ARRAY =
      ThreadLocal.withInitial(() -> new byte[SIZE]);

  private HeadScratch() {}

  /**
   * An array of at least {@code length} bytes, only for use until the head in it is written to the
   * connection. {@code onLoop}: the caller runs on the connection's event loop.
   */
  static byte[] forHead(int length, boolean onLoop) {
    return onLoop && length <= SIZE ? LOOP_ARRAY.get() : new byte[length];
  }
}
