package dev.wharf.websocket.codec;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Compresses whole messages for permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE, each message
 * ended with a sync flush whose trailing {@code 00 00 ff ff} is left off.
 *
 * <p>With context takeover the {@link Deflater} (about 256 KiB of native memory) lives as long as
 * the connection and is made on first use, so a connection that never sends holds none. Without it,
 * each message borrows the calling thread's deflater and gives it back, so all connections on one
 * event loop share one. {@link #close} frees what is held. Not thread-safe; use on one thread (the
 * connection's loop).
 *
 * <p>When the peer limited our window below 15 bits (RFC 7692 §7.1.2), the JDK's deflater will not
 * do: 9..14 bits compress through the system zlib ({@link ZlibDeflater}), owned by the connection
 * either way. Where zlib cannot be used, and for 8 bits (which zlib's raw DEFLATE refuses), the
 * messages are Huffman-coded only: no back-references at all, so any window decodes them, at the
 * cost of compressing less.
 */
public final class MessageDeflater implements AutoCloseable {
  /** RFC 7692 §7.1.2: windows of 2^8 to 2^15 bytes. */
  public static final int MIN_WINDOW_BITS = 8;

  public static final int MAX_WINDOW_BITS = 15;

  private static final ThreadLocal<Deflater[]> SHARED =
      ThreadLocal.withInitial(() -> new Deflater[10]);
  private static final int KEPT_OUTPUT_BYTES = 256 * 1024;
  // The output goes to the transport before the next message is compressed on this thread, so
  // one buffer per thread serves all its connections.
  private static final ThreadLocal<byte[]> OUTPUT = ThreadLocal.withInitial(() -> new byte[4096]);

  private final int level;
  private final boolean noContextTakeover;
  private final int windowBits;
  private Deflater own;
  private ZlibDeflater zlib;

  /**
   * A deflater with the full 32 KiB window.
   *
   * @param level 0..9 ({@link Deflater#BEST_SPEED} 1 ... {@link Deflater#BEST_COMPRESSION} 9)
   * @param noContextTakeover compress every message on its own (no shared history)
   */
  public MessageDeflater(int level, boolean noContextTakeover) {
    this(level, noContextTakeover, MAX_WINDOW_BITS);
  }

  /**
   * @param windowBits the largest window the peer accepts, 8..15 ({@code server_max_window_bits}
   *     for a server, {@code client_max_window_bits} for a client)
   */
  public MessageDeflater(int level, boolean noContextTakeover, int windowBits) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0..9: " + level);
    }
    if (windowBits < MIN_WINDOW_BITS || windowBits > MAX_WINDOW_BITS) {
      throw new IllegalArgumentException("window bits must be 8..15: " + windowBits);
    }
    this.level = level;
    this.noContextTakeover = noContextTakeover;
    this.windowBits = windowBits;
  }

  /** Whether a window of 9..14 bits is compressed by zlib (else only Huffman-coded). */
  public static boolean compressesSmallWindows() {
    return ZlibDeflater.isAvailable();
  }

  /** zlib deflaters made and not yet closed, in this process: a leak check. */
  public static int openNativeDeflaters() {
    return ZlibDeflater.live();
  }

  /**
   * Compresses the message's remaining bytes (consuming them) and returns the payload to send, in a
   * buffer valid until the next call.
   */
  public ByteBuffer compress(ByteBuffer message) {
    if (windowBits < MAX_WINDOW_BITS && windowBits > MIN_WINDOW_BITS && compressesSmallWindows()) {
      return compressWithZlib(message);
    }
    Deflater deflater = deflater();
    byte[] out = OUTPUT.get();
    try {
      deflater.setInput(message);
      int n = 0;
      while (true) {
        int written = deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
        n += written;
        if (n < out.length && deflater.needsInput()) {
          break; // Room left after a sync flush: all input is compressed and flushed.
        }
        if (n == out.length) {
          out = java.util.Arrays.copyOf(out, out.length * 2);
        } // else a new strategy took effect first (the Huffman-only deflater's first call)
      }
      return withoutTail(out, n);
    } finally {
      if (noContextTakeover) {
        deflater.reset();
      }
    }
  }

  private ByteBuffer compressWithZlib(ByteBuffer message) {
    if (zlib == null) {
      zlib = new ZlibDeflater(level, windowBits);
    }
    var sink = new ZlibDeflater.Sink(OUTPUT.get());
    try {
      zlib.compress(message, sink);
    } finally {
      if (noContextTakeover) {
        zlib.reset();
      }
    }
    return withoutTail(sink.bytes(), sink.length());
  }

  private static ByteBuffer withoutTail(byte[] out, int n) {
    if (out.length <= KEPT_OUTPUT_BYTES) {
      OUTPUT.set(out);
    }
    // RFC 7692 §7.2.1: remove the 4 octets 00 00 ff ff at the tail end.
    if (n >= 4 && out[n - 4] == 0 && out[n - 3] == 0 && out[n - 2] == -1 && out[n - 1] == -1) {
      n -= 4;
    }
    return ByteBuffer.wrap(out, 0, n);
  }

  private Deflater deflater() {
    if (windowBits < MAX_WINDOW_BITS) {
      // Huffman codes only: no match refers back at all, so no window is too small for it.
      if (own == null) {
        own = new Deflater(level, true);
        own.setStrategy(Deflater.HUFFMAN_ONLY);
      }
      return own;
    }
    if (noContextTakeover) {
      Deflater[] shared = SHARED.get();
      if (shared[level] == null) {
        shared[level] = new Deflater(level, true);
      }
      return shared[level];
    }
    if (own == null) {
      own = new Deflater(level, true);
    }
    return own;
  }

  @Override
  public void close() {
    if (own != null) {
      own.end();
      own = null;
    }
    if (zlib != null) {
      zlib.close();
      zlib = null;
    }
  }
}
